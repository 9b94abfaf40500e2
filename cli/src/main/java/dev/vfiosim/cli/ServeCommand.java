package dev.vfiosim.cli;

import dev.vfiosim.server.audit.AuditMode;
import dev.vfiosim.server.audit.AuditReport;
import dev.vfiosim.server.audit.MigrationAudit;
import dev.vfiosim.server.control.ControlCommands;
import dev.vfiosim.server.control.DeviceMetrics;
import dev.vfiosim.server.fault.FaultControlSocket;
import dev.vfiosim.server.fault.FaultPlanParser;
import dev.vfiosim.server.fault.InvalidFaultPlanException;
import dev.vfiosim.server.session.CompositeObserver;
import dev.vfiosim.server.session.IrqRestorePolicy;
import dev.vfiosim.server.session.ServerLimits;
import dev.vfiosim.server.session.VfioUserServer;
import dev.vfiosim.server.trace.JsonLinesTrace;
import dev.vfiosim.server.transport.MemfdSharedMemory;
import dev.vfiosim.server.transport.UnixSocketListener;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.device.DeviceRevision;
import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.host.HostedDevice;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import sun.misc.Signal;

/**
 * {@code vfio-sim serve}: one simulated device on one socket until SIGTERM or SIGINT. Follows the
 * vfio-user conventions for backend programs: {@code --socket-path} or {@code --fd}, no daemonizing.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a simulated device (an mlx5 virtual function unless --device says otherwise) over vfio-user "
                + "until SIGTERM/SIGINT.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    static final class Endpoint {
        @Option(names = "--socket-path", paramLabel = "PATH",
                description = "UNIX socket to create (mode 0600); a stale socket file there is replaced.")
        Path socketPath;

        @Option(names = "--fd", paramLabel = "FDNUM",
                description = "An already-listening UNIX stream socket inherited from the VMM or a service manager.")
        Integer fd;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Endpoint endpoint;

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceModelChoice model;

    @Option(names = {"-v", "--verbose"}, description = "Log every message at debug level (--log-level=debug).")
    boolean verbose;

    @Option(names = "--log-level", paramLabel = "LEVEL", converter = Options.LogLevel.class,
            description = "trace, debug, info (the default), warn, error or off.")
    String logLevel;

    @Option(names = "--irq-restore", paramLabel = "any|stop-only|resuming-only", defaultValue = "any",
            converter = IrqRestoreConverter.class,
            description = "When a stopped device accepts SET_IRQS: in STOP and RESUMING (any, the kernel's reading), "
                    + "only once STOP (stop-only), or only while RESUMING (resuming-only). Default: ${DEFAULT-VALUE}.")
    IrqRestorePolicy irqRestore;

    @Option(names = "--state-size", paramLabel = "SIZE", defaultValue = "1m", converter = Options.StateSize.class,
            description = "Bytes of device-internal bulk state (firmware/ICM-like memory, migrated page by page): "
                    + "a whole number of 4 KiB pages, with k, m or g, at most " + Options.StateSize.MAX_TEXT
                    + ". Default: ${DEFAULT-VALUE}.")
    long stateSize;

    @Option(names = "--dirty-rate", paramLabel = "PAGES/S", defaultValue = "0", converter = Options.DirtyRate.class,
            description = "Bulk-state pages the device dirties per second while it runs (0 = none, at most "
                    + Options.DirtyRate.MAX + "). Default: ${DEFAULT-VALUE}.")
    long dirtyRate;

    @Option(names = "--migration", paramLabel = "stop-copy|p2p|pre-copy|all", defaultValue = "all",
            converter = MigrationFeaturesConverter.class,
            description = "Migration features to advertise: stop-copy alone, +P2P, +PRE_COPY, or all. Default: ${DEFAULT-VALUE}.")
    MigrationFeatures migration;

    @Option(names = "--device-revision", paramLabel = "N", defaultValue = "" + DeviceRevision.CURRENT,
            converter = DeviceRevisionConverter.class,
            description = "Revision of the function to play, " + DeviceRevision.FIRST + ".." + DeviceRevision.CURRENT
                    + " (docs/migration.md): the migration record versions it writes and reads. Default: ${DEFAULT-VALUE}.")
    int deviceRevision;

    static final class DeviceRevisionConverter implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int revision;
            try {
                revision = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a revision number");
            }
            if (revision < DeviceRevision.FIRST || revision > DeviceRevision.CURRENT) {
                throw new TypeConversionException("'" + value + "' is not within " + DeviceRevision.FIRST + ".."
                        + DeviceRevision.CURRENT);
            }
            return revision;
        }
    }

    static final class MigrationFeaturesConverter implements picocli.CommandLine.ITypeConverter<MigrationFeatures> {
        @Override
        public MigrationFeatures convert(String value) {
            try {
                return MigrationFeatures.byName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--faults", paramLabel = "PLAN.json",
            description = "Inject the faults of this plan (docs/faults.md); a plan with a mistake is refused before "
                    + "serving, with its file:line:column, and exit code " + VfioSimCommand.EXIT_BAD_FAULT_PLAN
                    + ". The fault summary is printed to stdout at exit.")
    Path faultPlan;

    @Option(names = {"--control", "--fault-control"}, paramLabel = "PATH",
            description = "UNIX socket (mode 0600) answering one-line commands (vfio-sim ctl PATH CMD): status (JSON), "
                    + "metrics (Prometheus text), faults list|arm ID|disarm ID|fired [N]|summary, help. "
                    + "--fault-control is the older name; its bare fault commands still work.")
    Path control;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Write every message in either direction, decoded, and the device's events as JSON Lines "
                    + "to FILE (- for stderr). Costs about half the register-read rate while on (BENCHMARKS.md).")
    String trace;

    @Option(names = "--no-jmx", description = "Do not register the metrics as MBeans (they are by default, domain vfio-sim).")
    boolean noJmx;

    @Option(names = "--ethernet", description = "Advertise mlx5's Ethernet capabilities so the real driver's mlx5e "
            + "starts (experimental, docs/device.md \"Ethernet\"); its queues then take mlx5's contexts.")
    boolean ethernet;

    @Option(names = "--once", description = "Serve one client, then exit 0 when it leaves (libvfio-user's servers "
            + "do this; its samples/client waits for the migration destination to exit).")
    boolean once;

    @Option(names = "--message-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = Options.PositiveDuration.class,
            description = "How long a message may take to arrive in full once its first byte has: a client that "
                    + "stops half-way is disconnected after this and the device is free for the next one "
                    + "(250ms, 2s, ...). Default: ${DEFAULT-VALUE}, QEMU's own reply timeout.")
    Duration messageTimeout;

    @Option(names = "--audit", paramLabel = "off|report|strict", defaultValue = "report", converter = AuditModeConverter.class,
            description = "Referee the VMM's migration contract (docs/audit.md): report each finding in the log, the trace, "
                    + "the control socket's audit command and --audit-report (report), also refuse with EINVAL what the "
                    + "protocol lets the device refuse (strict), or not at all (off). Default: ${DEFAULT-VALUE}.")
    AuditMode audit;

    @Option(names = "--audit-report", paramLabel = "FILE",
            description = "Write the audit's findings as JSON to FILE at each disconnect once there are any, and at exit.")
    Path auditReport;

    static final class AuditModeConverter implements picocli.CommandLine.ITypeConverter<AuditMode> {
        @Override
        public AuditMode convert(String value) {
            try {
                return AuditMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class IrqRestoreConverter implements picocli.CommandLine.ITypeConverter<IrqRestorePolicy> {
        @Override
        public IrqRestorePolicy convert(String value) {
            try {
                return IrqRestorePolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A usage error before anything is bound: the message, the hint, exit code 2. */
    private int usage(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("serve: " + message);
        err.println("Try 'vfio-sim serve --help' for more information.");
        err.flush();
        return VfioSimCommand.EXIT_USAGE;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (model.listing()) {
            return model.list(spec.commandLine().getOut());
        }
        if (endpoint == null) {
            return usage("Missing required argument (specify one of these): (--socket-path=PATH | --fd=FDNUM)");
        }
        DeviceModel created;
        try {
            created = model.create();
        } catch (IllegalArgumentException e) {
            return usage("--device " + model.name() + ": " + e.getMessage());
        }
        FaultInjector faults = FaultInjector.NONE;
        JsonLinesTrace tracer = null;
        if (trace != null) {
            try {
                tracer = trace.equals("-") ? new JsonLinesTrace(System.err, false, null)
                        : new JsonLinesTrace(new BufferedOutputStream(Files.newOutputStream(Path.of(trace))), true, null);
            } catch (IOException | RuntimeException e) {
                System.err.println("--trace " + trace + ": cannot write the trace: " + e.getMessage());
                return VfioSimCommand.EXIT_START_FAILED;
            }
        }
        if (faultPlan != null) {
            try {
                faults = new FaultInjector(FaultPlanParser.parse(faultPlan));
            } catch (InvalidFaultPlanException e) {
                System.err.println(e.getMessage());
                return VfioSimCommand.EXIT_BAD_FAULT_PLAN;
            } catch (IOException e) {
                System.err.println(faultPlan + ": cannot read the fault plan: " + e);
                return VfioSimCommand.EXIT_BAD_FAULT_PLAN;
            }
            LOG.info("fault plan {}: {} rules, seed {}", faultPlan, faults.plan().rules().size(), faults.plan().seed());
        }
        UnixSocketListener listener;
        try {
            listener = endpoint.socketPath != null
                    ? UnixSocketListener.bind(endpoint.socketPath)
                    : UnixSocketListener.adopt(endpoint.fd);
        } catch (IOException e) {
            LOG.error("cannot listen: {}", e.getMessage());
            return VfioSimCommand.EXIT_START_FAILED;
        }
        VfioDevice device;
        try {
            device = new HostedDevice(created, MemfdSharedMemory.allocator());
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.error("device {} cannot be set up: {}", model.name(), e.getMessage());
            listener.close();
            created.close();
            return VfioSimCommand.EXIT_START_FAILED;
        }
        VfioUserServer server = new VfioUserServer(listener, device, ServerLimits.DEFAULT, irqRestore, faults)
                .messageTimeout(messageTimeout);
        VfioMigration migration = device.migration();
        IntSupplier state = migration == null ? null : migration::state;
        if (tracer != null) {
            tracer = tracer.withMigrationState(state);
            if (faults != FaultInjector.NONE) {   // NONE is shared and never fires
                faults.addListener(tracer::faultFired);
            }
        }
        DeviceMetrics metrics = control == null ? null : new DeviceMetrics(!noJmx, state);
        if (metrics != null && faults != FaultInjector.NONE) {
            faults.addListener(metrics::faultFired);
        }
        server.observe(CompositeObserver.of(Arrays.asList(metrics, tracer)));
        MigrationAudit referee = audit == AuditMode.OFF ? null : new MigrationAudit(device, audit, irqRestore).reportTo(auditReport);
        if (referee != null) {
            server.audit(referee);
            if (tracer != null) {
                JsonLinesTrace auditTrace = tracer;
                referee.addListener(finding -> auditTrace.auditFinding(finding.toMap()));
            }
        }
        FaultControlSocket controlSocket = null;
        if (control != null) {
            try {
                controlSocket = FaultControlSocket.open(control, new ControlCommands(server, device, metrics, faults).withAudit(referee),
                        FaultControlSocket.DEFAULT_IDLE_TIMEOUT);
            } catch (IOException e) {
                LOG.error("cannot open the control socket: {}", e.getMessage());
                listener.close();
                device.close();
                return VfioSimCommand.EXIT_START_FAILED;
            }
        }
        // SIGTERM/SIGINT end the serve loop instead of killing the JVM: the socket file is removed,
        // the client's fds released, and the exit code is 0 (a service manager's clean stop)
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> {
                LOG.info("SIG{} received, shutting down", s.getName());
                new Thread(server::close, "vfio-sim-shutdown").start();
            });
        }
        server.start();
        if (once) {
            Thread oneClient = new Thread(() -> {
                try {
                    server.awaitFirstClientGone();
                    LOG.info("--once: the client has left, stopping");
                    server.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "vfio-sim-once");
            oneClient.setDaemon(true);
            oneClient.start();
        }
        server.awaitStop();
        server.close();
        if (controlSocket != null) {
            controlSocket.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (tracer != null) {
            try {
                tracer.close();
            } catch (IOException e) {
                LOG.warn("trace not closed cleanly: {}", e.getMessage());
            }
        }
        device.close();
        LOG.info("stopped after {} connections", server.connectionsAccepted());
        if (faultPlan != null) {
            System.out.print(faults.summary());
            System.out.flush();
        }
        if (referee != null) {
            referee.writeReport();
            if (referee.findings().isEmpty()) {
                LOG.info(AuditReport.summary(referee).trim());   // a clean run keeps stdout for the fault summary alone
            } else {
                System.out.print(AuditReport.summary(referee));
                System.out.flush();
            }
        }
        return 0;
    }
}
