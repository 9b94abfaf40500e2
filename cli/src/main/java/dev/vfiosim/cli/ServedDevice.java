package dev.vfiosim.cli;

import dev.vfiosim.server.audit.AuditMode;
import dev.vfiosim.server.audit.AuditReport;
import dev.vfiosim.server.audit.MigrationAudit;
import dev.vfiosim.server.control.ControlCommands;
import dev.vfiosim.server.control.DeviceMetrics;
import dev.vfiosim.server.control.ProcessMetrics;
import dev.vfiosim.server.fault.FaultPlanParser;
import dev.vfiosim.server.fault.InvalidFaultPlanException;
import dev.vfiosim.server.session.CompositeObserver;
import dev.vfiosim.server.session.ServerLimits;
import dev.vfiosim.server.session.VfioUserServer;
import dev.vfiosim.server.trace.JsonLinesTrace;
import dev.vfiosim.server.transport.MemfdSharedMemory;
import dev.vfiosim.server.transport.UnixSocketListener;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.host.HostedDevice;
import dev.vfiosim.simulator.fault.FaultInjector;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device of {@code serve} from start to stop, with everything that is its own: socket, state,
 * server (and so its client), fault plan, trace and meters. Nothing here is shared with another
 * device but the process's metrics registries and device threads, so one device's client or faults
 * cannot reach another's.
 */
final class ServedDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServedDevice.class);

    /** Why a device could not be started, with the exit code {@code serve} ends with. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        StartFailure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    final DeviceSpec spec;
    private final FaultInjector faults;
    private DeviceModel model;
    private MigrationAudit referee;
    private JsonLinesTrace tracer;
    private UnixSocketListener listener;
    private VfioDevice device;
    private VfioUserServer server;
    private DeviceMetrics metrics;
    private ControlCommands control;

    private ServedDevice(DeviceSpec spec, FaultInjector faults) {
        this.spec = spec;
        this.faults = faults;
    }

    /**
     * Makes the model (it checks its options) and reads the fault plan; nothing is bound or
     * allocated yet, so a mistake leaves no file behind.
     */
    static ServedDevice plan(DeviceSpec spec) throws StartFailure {
        ServedDevice planned = planFaults(spec);
        try {
            planned.model = DeviceModelChoice.create(spec.model(), spec.modelOptions());
        } catch (IllegalArgumentException e) {
            throw new StartFailure(VfioSimCommand.EXIT_USAGE, "--device " + spec.model() + ": " + e.getMessage());
        }
        return planned;
    }

    private static ServedDevice planFaults(DeviceSpec spec) throws StartFailure {
        if (spec.faults() == null) {
            return new ServedDevice(spec, FaultInjector.NONE);
        }
        try {
            FaultInjector faults = new FaultInjector(FaultPlanParser.parse(spec.faults()));
            LOG.info("device {}: fault plan {}: {} rules, seed {}", spec.name(), spec.faults(), faults.plan().rules().size(),
                    faults.plan().seed());
            return new ServedDevice(spec, faults);
        } catch (InvalidFaultPlanException e) {
            throw new StartFailure(VfioSimCommand.EXIT_BAD_FAULT_PLAN, e.getMessage());
        } catch (IOException e) {
            throw new StartFailure(VfioSimCommand.EXIT_BAD_FAULT_PLAN, spec.faults() + ": cannot read the fault plan: " + e);
        }
    }

    /** Opens the trace and the socket (it appears, listening, mode 0600). */
    void listen() throws StartFailure {
        String trace = spec.trace();
        if (trace != null) {
            try {
                tracer = trace.equals("-") ? new JsonLinesTrace(System.err, false, null)
                        : new JsonLinesTrace(new BufferedOutputStream(Files.newOutputStream(Path.of(trace))), true, null);
            } catch (IOException | RuntimeException e) {
                throw new StartFailure(VfioSimCommand.EXIT_START_FAILED, "--trace " + trace + ": cannot write the trace: "
                        + e.getMessage());
            }
        }
        try {
            listener = spec.socketPath() != null ? UnixSocketListener.bind(spec.socketPath())
                    : UnixSocketListener.adopt(spec.fd());
        } catch (IOException e) {
            throw new StartFailure(VfioSimCommand.EXIT_START_FAILED, "cannot listen on " + spec.where() + ": " + e.getMessage());
        }
    }

    /**
     * Makes the device and its server; {@code processMetrics} null when there is no control socket,
     * {@code audit} the referee's mode (docs/audit.md).
     */
    void build(ProcessMetrics processMetrics, boolean named, AuditMode audit) {
        device = new HostedDevice(model, MemfdSharedMemory.allocator());
        server = new VfioUserServer(listener, device, ServerLimits.DEFAULT, spec.irqRestore(), faults)
                .messageTimeout(spec.messageTimeout());
        if (named) {
            server.named(spec.name());
        }
        VfioMigration migration = device.migration();
        IntSupplier state = migration == null ? null : migration::state;
        if (tracer != null) {
            tracer = tracer.withMigrationState(state);
            if (faults != FaultInjector.NONE) {   // NONE is shared and never fires
                faults.addListener(tracer::faultFired);
            }
        }
        metrics = processMetrics == null ? null : new DeviceMetrics(processMetrics, named ? spec.name() : null, state);
        if (metrics != null && faults != FaultInjector.NONE) {
            faults.addListener(metrics::faultFired);
        }
        server.observe(CompositeObserver.of(Arrays.asList(metrics, tracer)));
        if (audit != AuditMode.OFF) {
            referee = new MigrationAudit(device, audit, spec.irqRestore())
                    .reportTo(spec.auditReport() == null ? null : Path.of(spec.auditReport()));
            server.audit(referee);
            if (tracer != null) {
                JsonLinesTrace auditTrace = tracer;
                referee.addListener(finding -> auditTrace.auditFinding(finding.toMap()));
            }
        }
        control = new ControlCommands(named ? spec.name() : null, server, device, metrics, faults).withAudit(referee);
    }

    /** Starts serving; with {@code once}, the server stops when its first client has left. */
    void start(boolean once) {
        server.start();
        if (once) {
            Thread oneClient = new Thread(() -> {
                try {
                    server.awaitFirstClientGone();
                    LOG.info("device {}: --once: the client has left, stopping", spec.name());
                    server.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "vfio-sim-once-" + spec.name());
            oneClient.setDaemon(true);
            oneClient.start();
        }
    }

    ControlCommands control() {
        return control;
    }

    VfioUserServer server() {
        return server;
    }

    void awaitStop() throws InterruptedException {
        server.awaitStop();
    }

    /** Stops the server (the client disconnected, the socket file removed), then the device. Idempotent. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        } else if (listener != null) {
            listener.close();
        }
        if (referee != null && device != null) {
            referee.writeReport();   // after the client's disconnect, whose findings count too
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        if (tracer != null) {
            try {
                tracer.close();
            } catch (IOException e) {
                LOG.warn("device {}: trace not closed cleanly: {}", spec.name(), e.getMessage());
            }
            tracer = null;
        }
        if (device != null) {
            device.close();
            device = null;
        } else if (model != null) {
            model.close();   // planned but never hosted
        }
        model = null;
    }

    /** The audit's one-screen summary when it found anything (logged instead when clean), else null. */
    String auditSummary() {
        if (referee == null) {
            return null;
        }
        if (referee.findings().isEmpty()) {
            LOG.info("device {}: {}", spec.name(), AuditReport.summary(referee).trim());
            return null;
        }
        return AuditReport.summary(referee);
    }

    /** The fault summary (what fired) when this device has a plan, else null. */
    String faultSummary() {
        return spec.faults() == null ? null : faults.summary();
    }

    int connectionsAccepted() {
        return server == null ? 0 : server.connectionsAccepted();
    }
}
