package dev.vfiosim.cli;

import dev.vfiosim.server.session.IrqRestorePolicy;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One device {@code serve} plays: where it listens, what it is, and what it does wrong on purpose.
 * Exactly one of {@code socketPath} and {@code fd} is set; {@code faults}, {@code trace} and
 * {@code auditReport} may be null. The model is {@code model} with {@code modelOptions} as typed
 * (docs/device-api.md); the mlx5 fields ({@code stateSize} ... {@code ethernet}) are those options,
 * already checked, as the server's own meters and messages use them.
 */
record DeviceSpec(String name, Path socketPath, Integer fd, long stateSize, long dirtyRate, MigrationFeatures migration,
        int deviceRevision, IrqRestorePolicy irqRestore, boolean ethernet, Duration messageTimeout, Path faults,
        String trace, String model, Map<String, String> modelOptions, String auditReport) {

    DeviceSpec {
        if ((socketPath == null) == (fd == null)) {
            throw new IllegalArgumentException("a device listens on a socket path or an inherited fd, not both or neither");
        }
        modelOptions = Map.copyOf(modelOptions);
    }

    DeviceSpec withName(String newName) {
        return new DeviceSpec(newName, socketPath, fd, stateSize, dirtyRate, migration, deviceRevision, irqRestore, ethernet,
                messageTimeout, faults, trace, model, modelOptions, auditReport);
    }

    DeviceSpec at(Path newSocketPath, Integer newFd) {
        return new DeviceSpec(name, newSocketPath, newFd, stateSize, dirtyRate, migration, deviceRevision, irqRestore,
                ethernet, messageTimeout, faults, trace, model, modelOptions, auditReport);
    }

    DeviceSpec withTrace(String newTrace) {
        return new DeviceSpec(name, socketPath, fd, stateSize, dirtyRate, migration, deviceRevision, irqRestore, ethernet,
                messageTimeout, faults, newTrace, model, modelOptions, auditReport);
    }

    DeviceSpec withAuditReport(String newReport) {
        return new DeviceSpec(name, socketPath, fd, stateSize, dirtyRate, migration, deviceRevision, irqRestore, ethernet,
                messageTimeout, faults, trace, model, modelOptions, newReport);
    }

    /** The socket, for messages: its path or "fd N". */
    String where() {
        return socketPath != null ? socketPath.toString() : "fd " + fd;
    }
}
