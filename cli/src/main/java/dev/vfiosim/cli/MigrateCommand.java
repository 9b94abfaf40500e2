package dev.vfiosim.cli;

import dev.vfiosim.fixtures.client.VfioUserClient;
import dev.vfiosim.fixtures.vmm.MigrationDriver;
import dev.vfiosim.fixtures.vmm.MigrationFailure;
import dev.vfiosim.fixtures.vmm.MigrationReport;
import dev.vfiosim.fixtures.vmm.RestoreOrder;
import dev.vfiosim.server.audit.AuditReport;
import dev.vfiosim.server.audit.Finding;
import dev.vfiosim.server.control.ControlClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vfio-sim migrate --from SRC.sock --to DST.sock}: the mini-VMM against two running servers,
 * device state only (no guest RAM, no interrupt wiring: this VMM has no guest), with a progress line
 * per phase and a final report. Pre-copy is bounded as QEMU bounds it; a failure names side, phase,
 * arc and errno, and leaves the source RUNNING and the destination reset.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Migrate the device served on --from to the device served on --to, as QEMU would.")
final class MigrateCommand implements Callable<Integer> {
    /** Exit code when the migration failed; the source is RUNNING again and the destination reset. */
    static final int EXIT_MIGRATION_FAILED = 3;
    /** How long a control socket may take per byte of its audit answer. */
    private static final Duration AUDIT_WAIT = Duration.ofSeconds(5);

    @Option(names = "--from", required = true, paramLabel = "SRC.sock", description = "Socket of the source device.")
    Path from;

    @Option(names = "--to", required = true, paramLabel = "DST.sock", description = "Socket of the destination device.")
    Path to;

    @Option(names = "--chunk", defaultValue = "1048576", paramLabel = "BYTES", converter = Options.PositiveInt.class,
            description = "Bytes per MIG_DATA_READ, at least 1 (default ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--max-iterations", defaultValue = "8", paramLabel = "N", converter = Options.PositiveInt.class,
            description = "Pre-copy rounds at most (default ${DEFAULT-VALUE}).")
    int maxIterations;

    @Option(names = "--downtime-limit", defaultValue = "300ms", paramLabel = "DURATION",
            converter = Options.PositiveDuration.class,
            description = "The downtime accepted: pre-copy ends when MIG_DATA_SIZE can be moved within it at the "
                    + "measured bandwidth (QEMU's downtime-limit; default ${DEFAULT-VALUE}).")
    Duration downtimeLimit;

    @Option(names = "--precopy-time-limit", defaultValue = "60s", paramLabel = "DURATION",
            converter = Options.PositiveDuration.class,
            description = "Pre-copy time at most (default ${DEFAULT-VALUE}).")
    Duration precopyTimeLimit;

    @Option(names = "--force-stop-copy",
            description = "At --max-iterations or --precopy-time-limit without convergence, stop the source anyway "
                    + "(a longer downtime) instead of giving up.")
    boolean forceStopCopy;

    @Option(names = "--restore-order", defaultValue = "DURING_RESUMING",
            description = "When VMM-owned state is restored: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    RestoreOrder restoreOrder;

    @Option(names = "--from-control", paramLabel = "PATH",
            description = "The source's control socket (serve --control): its audit findings are printed after the migration.")
    Path fromControl;

    @Option(names = "--to-control", paramLabel = "PATH",
            description = "The destination's control socket: its audit findings are printed after the migration.")
    Path toControl;

    @Override
    public Integer call() {
        try {
            return migrate();
        } finally {
            printAudit("destination", toControl);
            printAudit("source", fromControl);
        }
    }

    /** The findings of one side's audit (docs/audit.md), when its control socket was given and answers. */
    private static void printAudit(String side, Path control) {
        if (control == null) {
            return;
        }
        try {
            String reply = ControlClient.ask(control, "audit", AUDIT_WAIT);
            if (!reply.startsWith("ok\n")) {
                System.out.println(side + " audit: " + reply.strip());
                return;
            }
            Map.Entry<String, List<Finding>> audit = AuditReport.read(reply.substring(3));
            System.out.print(side + " " + AuditReport.summary(audit.getKey(), audit.getValue()));
        } catch (IOException | RuntimeException e) {
            System.out.println(side + " audit: not reachable at " + control + ": " + e.getMessage());
        }
        System.out.flush();
    }

    private Integer migrate() {
        PrintStream out = System.out;
        for (Path socket : List.of(from, to)) {
            if (!Files.exists(socket)) {
                System.err.println("migrate: " + socket + ": no such socket (is vfio-sim serve running there?)");
                return VfioSimCommand.EXIT_USAGE;
            }
        }
        if (from.toAbsolutePath().normalize().equals(to.toAbsolutePath().normalize())) {
            System.err.println("migrate: --from and --to are the same socket");
            return VfioSimCommand.EXIT_USAGE;
        }
        MigrationDriver.Options options = new MigrationDriver.Options(chunk, maxIterations, 64 * 1024, restoreOrder)
                .withLimits(maxIterations, downtimeLimit, precopyTimeLimit, forceStopCopy)
                .withRollBackOnFailure(true);
        MigrationDriver driver = new MigrationDriver(options, p -> out.printf("%-9s pre-copy %,d B (iteration %d)  stop-copy %,d B%n",
                p.phase(), p.precopyBytes(), p.iteration(), p.stopCopyBytes()));
        VfioUserClient source;
        try {
            source = VfioUserClient.connect(from);
        } catch (RuntimeException e) {
            System.err.println("migrate: cannot connect to the source " + from + ": " + e.getMessage());
            return EXIT_MIGRATION_FAILED;
        }
        try (source; VfioUserClient destination = connect(to)) {
            source.negotiate();
            destination.negotiate();
            if (MigrationDriver.resetIfInError(destination)) {
                // an earlier run that failed on the destination leaves it there, and only a reset leaves ERROR
                System.err.println("migrate: the destination was in ERROR (left by an earlier migration): reset it first");
            }
            MigrationReport report = driver.migrate(MigrationDriver.Endpoint.deviceOnly(source),
                    MigrationDriver.Endpoint.deviceOnly(destination), List.of());
            out.println("migrated: " + report.describe());
            return 0;
        } catch (MigrationFailure e) {
            System.err.println("migration failed: " + e.getMessage());
            return EXIT_MIGRATION_FAILED;
        } catch (RuntimeException e) {
            System.err.println("migration failed before it began: " + e.getMessage());
            return EXIT_MIGRATION_FAILED;
        }
    }

    private VfioUserClient connect(Path socket) {
        try {
            return VfioUserClient.connect(socket);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the destination " + socket + ": " + e.getMessage(), e);
        }
    }
}
