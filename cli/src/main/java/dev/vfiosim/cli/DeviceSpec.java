package dev.vfiosim.cli;

import dev.vfiosim.server.session.IrqRestorePolicy;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One device {@code serve} plays: where it listens, what it is, and what it does wrong on purpose.
 * Exactly one of {@code socketPath} and {@code fd} is set; {@code faults} and {@code trace} may be null.
 */
record DeviceSpec(String name, Path socketPath, Integer fd, long stateSize, long dirtyRate, MigrationFeatures migration,
        int deviceRevision, IrqRestorePolicy irqRestore, boolean ethernet, Duration messageTimeout, Path faults,
        String trace) {

    DeviceSpec {
        if ((socketPath == null) == (fd == null)) {
            throw new IllegalArgumentException("a device listens on a socket path or an inherited fd, not both or neither");
        }
    }

    DeviceSpec withName(String newName) {
        return new DeviceSpec(newName, socketPath, fd, stateSize, dirtyRate, migration, deviceRevision, irqRestore, ethernet,
                messageTimeout, faults, trace);
    }

    DeviceSpec at(Path newSocketPath, Integer newFd) {
        return new DeviceSpec(name, newSocketPath, newFd, stateSize, dirtyRate, migration, deviceRevision, irqRestore,
                ethernet, messageTimeout, faults, trace);
    }

    DeviceSpec withTrace(String newTrace) {
        return new DeviceSpec(name, socketPath, fd, stateSize, dirtyRate, migration, deviceRevision, irqRestore, ethernet,
                messageTimeout, faults, newTrace);
    }

    /** The socket, for messages: its path or "fd N". */
    String where() {
        return socketPath != null ? socketPath.toString() : "fd " + fd;
    }
}
