package dev.vfiosim.cli;

import dev.vfiosim.fixtures.client.VfioUserClient;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The training run of the class-data-sharing (AppCDS) archive that cli's package phase builds:
 * {@code java -XX:ArchiveClassesAtExit=vfio-sim.jsa -cp vfio-sim.jar dev.vfiosim.cli.StartupTraining}
 * starts {@code serve} as a user would, connects one client that enumerates the device and reads
 * registers, and exits; the JVM then writes every class it loaded to the archive, and
 * {@code bin/vfio-sim} maps them instead of loading and verifying them again at each start.
 * Not a command: nothing here runs in a user's process.
 */
public final class StartupTraining {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private StartupTraining() {}

    public static void main(String[] args) throws Exception {
        System.setProperty(VfioSimCommand.LOG_LEVEL_PROPERTY, "warn");   // before the first logger
        Path dir = Files.createTempDirectory("vfio-sim-cds");
        Path socket = dir.resolve("train.sock");
        Thread serve = new Thread(() -> VfioSimCommand.commandLine().execute("serve", "--log-level=warn",
                "--socket-path=" + socket), "cds-training-serve");
        serve.setDaemon(true);
        serve.start();
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline || !serve.isAlive()) {
                System.err.println("StartupTraining: serve did not listen on " + socket);
                System.exit(1);
            }
            Thread.sleep(10);
        }
        try (VfioUserClient client = VfioUserClient.connect(socket)) {
            client.negotiate();
            int regions = client.deviceInfo().numRegions();
            for (int i = 0; i < regions; i++) {
                client.regionInfo(i, 64);
            }
            for (int i = 0; i < 2000; i++) {
                client.readRegister(VfioRegion.CONFIG, 0, 4);
                client.readRegister(VfioRegion.BAR0, 0, 4);
            }
        }
        cleanUp(dir, socket);
        // exit runs serve's shutdown hook (the socket file goes) and then writes the archive
        System.exit(0);
    }

    private static void cleanUp(Path dir, Path socket) {
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp dir left behind: harmless
        }
    }
}
