package dev.vfiosim.cli;

import dev.vfiosim.server.audit.AuditMode;
import dev.vfiosim.server.control.ControlCommands;
import dev.vfiosim.server.control.ProcessControl;
import dev.vfiosim.server.control.ProcessMetrics;
import dev.vfiosim.server.fault.FaultControlSocket;
import dev.vfiosim.server.session.IrqRestorePolicy;
import dev.vfiosim.simulator.device.DeviceRevision;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * {@code vfio-sim serve}: simulated devices, each on its own socket, until SIGTERM or SIGINT. Follows
 * the vfio-user conventions for backend programs: {@code --socket-path} or {@code --fd}, no
 * daemonizing. Several devices in one process ({@code --socket-path} repeated, {@code --devices=N
 * --socket-dir=DIR}, {@code --config=FILE.json}) share nothing but the JVM, its device threads and
 * the control socket: each has its own state, client, fault plan, trace and meters ({@link ServedDevice}).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve simulated devices (mlx5 virtual functions unless --device says otherwise) over vfio-user, "
                + "each on its own socket, until SIGTERM/SIGINT.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    static final class Endpoint {
        @Option(names = "--socket-path", paramLabel = "PATH",
                description = "UNIX socket to create (mode 0600); a stale socket file there is replaced. Repeat it to "
                        + "serve several devices, named 0, 1, ... in order.")
        List<Path> socketPaths;

        @Option(names = "--fd", paramLabel = "FDNUM",
                description = "An already-listening UNIX stream socket inherited from the VMM or a service manager "
                        + "(repeatable, like --socket-path).")
        List<Integer> fds;

        @Option(names = "--socket-dir", paramLabel = "DIR",
                description = "Serve --devices=N devices, named 0 to N-1, on DIR/0.sock to DIR/N-1.sock (DIR must exist).")
        Path socketDir;

        @Option(names = "--config", paramLabel = "FILE.json",
                description = "Serve the devices listed in FILE.json, each with its own options (README \"Many devices\"); "
                        + "the command line's options are the defaults of every device.")
        Path config;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Endpoint endpoint;

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceModelChoice model;

    @Option(names = "--devices", paramLabel = "N", converter = DeviceCount.class,
            description = "With --socket-dir: how many devices to serve (1 to " + DeviceCount.MAX + "). Default: 1.")
    Integer devices;

    /** The number of devices of --socket-dir; bounded so that a typo cannot ask for a million sockets. */
    static final class DeviceCount implements picocli.CommandLine.ITypeConverter<Integer> {
        static final int MAX = 1024;

        @Override
        public Integer convert(String value) {
            int n = new Options.PositiveInt().convert(value);
            if (n > MAX) {
                throw new TypeConversionException("'" + value + "' is too many: at most " + MAX + " devices per process");
            }
            return n;
        }
    }

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

    static final class MigrationFeaturesConverter extends Options.Parsed<MigrationFeatures> {
        MigrationFeaturesConverter() {
            super(MigrationFeatures::byName);
        }
    }

    @Option(names = "--faults", paramLabel = "PLAN.json",
            description = "Inject the faults of this plan (docs/faults.md); a plan with a mistake is refused before "
                    + "serving, with its file:line:column, and exit code " + VfioSimCommand.EXIT_BAD_FAULT_PLAN
                    + ". The fault summary is printed to stdout at exit. With several devices each gets its own "
                    + "injector of this plan (own counts and arming).")
    Path faultPlan;

    @Option(names = {"--control", "--fault-control"}, paramLabel = "PATH",
            description = "UNIX socket (mode 0600) answering one-line commands (vfio-sim ctl PATH CMD): status (JSON), "
                    + "metrics (Prometheus text), faults list|arm ID|disarm ID|fired [N]|summary, help. "
                    + "--fault-control is the older name; its bare fault commands still work. One socket for all the devices: "
                    + "with several, 'device NAME CMD' asks one, status and metrics cover all (metrics tagged device=NAME).")
    Path control;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Write every message in either direction, decoded, and the device's events as JSON Lines "
                    + "to FILE (- for stderr). Costs about half the register-read rate while on (BENCHMARKS.md). With several "
                    + "devices each has its own file: FILE with {device} replaced by its name, or FILE.NAME.")
    String trace;

    @Option(names = "--no-jmx", description = "Do not register the metrics as MBeans (they are by default, domain vfio-sim).")
    boolean noJmx;

    @Option(names = "--ethernet", description = "Advertise mlx5's Ethernet capabilities so the real driver's mlx5e "
            + "starts (experimental, docs/device.md \"Ethernet\"); its queues then take mlx5's contexts.")
    boolean ethernet;

    @Option(names = "--message-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = Options.PositiveDuration.class,
            description = "How long a message may take to arrive in full once its first byte has: a client that "
                    + "stops half-way, or stops taking replies once its socket is full, is disconnected after this "
                    + "and the device is free for the next one (250ms, 2s, ...). Default: ${DEFAULT-VALUE}, QEMU's own reply timeout.")
    Duration messageTimeout;

    @Option(names = "--once", description = "Serve one client, then exit 0 when it leaves (libvfio-user's servers "
            + "do this; its samples/client waits for the migration destination to exit). With several devices: once "
            + "each device's first client has left.")
    boolean once;

    @Option(names = "--audit", paramLabel = "off|report|strict", defaultValue = "report", converter = AuditModeConverter.class,
            description = "Referee the VMM's migration contract (docs/audit.md): report each finding in the log, the trace, "
                    + "the control socket's audit command and --audit-report (report), also refuse with EINVAL what the "
                    + "protocol lets the device refuse (strict), or not at all (off). Default: ${DEFAULT-VALUE}.")
    AuditMode audit;

    @Option(names = "--audit-report", paramLabel = "FILE",
            description = "Write the audit's findings as JSON to FILE at each disconnect once there are any, and at exit. "
                    + "With several devices each has its own file, named as for --trace.")
    Path auditReport;

    static final class AuditModeConverter extends Options.Parsed<AuditMode> {
        AuditModeConverter() {
            super(AuditMode::parse);
        }
    }

    static final class IrqRestoreConverter extends Options.Parsed<IrqRestorePolicy> {
        IrqRestoreConverter() {
            super(IrqRestorePolicy::parse);
        }
    }

    /** Every device asked for, each with its own options; the command line's are the defaults. */
    List<DeviceSpec> deviceSpecs() throws ServeConfig.InvalidConfigException {
        if (devices != null && endpoint.socketDir == null) {
            throw new ServeConfig.InvalidConfigException("--devices needs --socket-dir (the devices' sockets are DIR/0.sock ...)");
        }
        DeviceSpec defaults = new DeviceSpec("0", Path.of("unset"), null, stateSize, dirtyRate, migration, deviceRevision,
                irqRestore, ethernet, messageTimeout, faultPlan, trace, model.name(), model.options(),
                auditReport == null ? null : auditReport.toString());
        List<DeviceSpec> specs = new ArrayList<>();
        if (endpoint.config != null) {
            specs.addAll(ServeConfig.read(endpoint.config, defaults));
        } else if (endpoint.socketDir != null) {
            for (int i = 0; i < (devices == null ? 1 : devices); i++) {
                specs.add(defaults.withName(Integer.toString(i)).at(endpoint.socketDir.resolve(i + ".sock"), null));
            }
        } else if (endpoint.socketPaths != null) {
            for (int i = 0; i < endpoint.socketPaths.size(); i++) {
                specs.add(defaults.withName(Integer.toString(i)).at(endpoint.socketPaths.get(i), null));
            }
        } else {
            for (int i = 0; i < endpoint.fds.size(); i++) {
                specs.add(defaults.withName(Integer.toString(i)).at(null, endpoint.fds.get(i)));
            }
        }
        if (specs.size() > 1) {
            // one --trace or --audit-report for several devices: a file each, the device's name in it
            for (int i = 0; i < specs.size(); i++) {
                DeviceSpec d = specs.get(i);
                if (trace != null && !trace.equals("-") && trace.equals(d.trace())) {
                    d = d.withTrace(perDevice(trace, d.name()));
                }
                if (auditReport != null && auditReport.toString().equals(d.auditReport())) {
                    d = d.withAuditReport(perDevice(auditReport.toString(), d.name()));
                }
                specs.set(i, d);
            }
        }
        ServeConfig.checkDistinct(specs);
        return specs;
    }

    /** FILE with {device} replaced by the device's name, or FILE.NAME when it has no {device}. */
    static String perDevice(String file, String name) {
        return file.contains("{device}") ? file.replace("{device}", name) : file + "." + name;
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
            return usage("Missing required argument (specify one of these): "
                    + "(--socket-path=PATH | --fd=FDNUM | --socket-dir=DIR | --config=FILE.json)");
        }
        List<DeviceSpec> specs;
        try {
            specs = deviceSpecs();
        } catch (ServeConfig.InvalidConfigException | IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        boolean several = specs.size() > 1;
        List<ServedDevice> served = new ArrayList<>();
        ProcessMetrics processMetrics = control == null ? null : new ProcessMetrics(!noJmx);
        FaultControlSocket controlSocket = null;
        try {
            // every plan read before any socket appears: a bad one leaves nothing behind
            for (DeviceSpec d : specs) {
                served.add(ServedDevice.plan(d));
            }
            for (ServedDevice device : served) {
                device.listen();
            }
            // the devices are independent: make them on every CPU (start-up of a hundred, BENCHMARKS.md)
            try {
                served.parallelStream().forEach(device -> device.build(processMetrics, several, audit));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ServedDevice.StartFailure(VfioSimCommand.EXIT_START_FAILED, "a device cannot be set up: "
                        + e.getMessage());
            }
            if (control != null) {
                Map<String, ControlCommands> byName = new LinkedHashMap<>();
                served.forEach(d -> byName.put(d.spec.name(), d.control()));
                try {
                    controlSocket = FaultControlSocket.open(control, new ProcessControl(byName, processMetrics),
                            FaultControlSocket.DEFAULT_IDLE_TIMEOUT);
                } catch (IOException e) {
                    throw new ServedDevice.StartFailure(VfioSimCommand.EXIT_START_FAILED,
                            "cannot open the control socket: " + e.getMessage());
                }
            }
        } catch (ServedDevice.StartFailure e) {
            if (e.exitCode == VfioSimCommand.EXIT_USAGE) {
                closeAll(served);
                if (processMetrics != null) {
                    processMetrics.close();
                }
                return usage(e.getMessage());
            }
            if (e.exitCode == VfioSimCommand.EXIT_BAD_FAULT_PLAN) {
                System.err.println(e.getMessage());
            } else {
                LOG.error("{}", e.getMessage());
            }
            closeAll(served);
            if (processMetrics != null) {
                processMetrics.close();
            }
            return e.exitCode;
        }
        // SIGTERM/SIGINT end the serve loop instead of killing the JVM: the socket files are removed,
        // the clients' fds released, and the exit code is 0 (a service manager's clean stop)
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> {
                LOG.info("SIG{} received, shutting down", s.getName());
                new Thread(() -> served.forEach(d -> d.server().close()), "vfio-sim-shutdown").start();
            });
        }
        served.forEach(d -> d.start(once));
        if (several) {
            LOG.info("serving {} devices", served.size());
        }
        for (ServedDevice device : served) {
            device.awaitStop();
        }
        closeAll(served);
        if (controlSocket != null) {
            controlSocket.close();
        }
        if (processMetrics != null) {
            processMetrics.close();
        }
        LOG.info("stopped after {} connections", served.stream().mapToInt(ServedDevice::connectionsAccepted).sum());
        for (ServedDevice device : served) {
            String summary = device.faultSummary();
            if (summary != null) {
                System.out.print(several ? "device " + device.spec.name() + ":\n" + summary : summary);
            }
        }
        System.out.flush();
        for (ServedDevice device : served) {
            // on stderr: stdout stays the fault summary's alone (and a served device's own output, as
            // the sample device's "doing dma io" is upstream's)
            String findings = device.auditSummary();
            if (findings != null) {
                System.err.print(several ? "device " + device.spec.name() + ":\n" + findings : findings);
            }
        }
        System.err.flush();
        return 0;
    }

    /** Closes every device, several at once: each close waits (boundedly) for its client's session. */
    private static void closeAll(List<ServedDevice> served) throws InterruptedException {
        if (served.size() <= 1) {
            served.forEach(ServedDevice::close);
            return;
        }
        ExecutorService closers = Executors.newFixedThreadPool(Math.min(served.size(), 16), r -> {
            Thread t = new Thread(r, "vfio-sim-close");
            t.setDaemon(true);
            return t;
        });
        served.forEach(d -> closers.execute(d::close));
        closers.shutdown();
        if (!closers.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("devices still closing after 30 s; exiting anyway");
        }
    }
}
