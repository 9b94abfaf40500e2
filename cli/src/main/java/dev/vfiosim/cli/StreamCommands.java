package dev.vfiosim.cli;

import dev.vfiosim.fixtures.client.VfioUserClient;
import dev.vfiosim.fixtures.tools.BackendDescription;
import dev.vfiosim.fixtures.tools.ConfigSpaceListing;
import dev.vfiosim.fixtures.vmm.Snapshot;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The client-side commands that need the Java vfio-user client: {@code save}, {@code load},
 * {@code lspci}, and {@code describe}. Each is registered in {@link VfioSimCommand}.
 */
public final class StreamCommands {
    private StreamCommands() {
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = "Stop the device at SOCK, read its stop-copy stream into FILE (a snapshot), let it run again.")
    public static final class Save implements Callable<Integer> {
        @Option(names = "--from", required = true, paramLabel = "SOCK")
        Path socket;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--leave-stopped", description = "Leave the device in STOP after the snapshot.")
        boolean leaveStopped;

        @Override
        public Integer call() {
            try (VfioUserClient c = VfioUserClient.connect(socket); OutputStream out =
                    new BufferedOutputStream(Files.newOutputStream(file))) {
                c.negotiate();
                long n = Snapshot.save(c, out, Snapshot.DEFAULT_CHUNK, leaveStopped);
                System.out.println("saved " + n + " bytes from " + socket + " to " + file);
                return 0;
            } catch (IOException | RuntimeException e) {
                System.err.println("save: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Resume the device at SOCK from FILE: RESUMING, the stream, STOP (commit), RUNNING.")
    public static final class Load implements Callable<Integer> {
        @Option(names = "--to", required = true, paramLabel = "SOCK")
        Path socket;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            try (VfioUserClient c = VfioUserClient.connect(socket); InputStream in =
                    new BufferedInputStream(Files.newInputStream(file))) {
                c.negotiate();
                long n = Snapshot.load(c, in, Snapshot.DEFAULT_CHUNK);
                System.out.println("loaded " + n + " bytes from " + file + " into " + socket + "; device RUNNING");
                return 0;
            } catch (IOException | RuntimeException e) {
                System.err.println("load: " + e.getMessage() + " (vfio-sim inspect " + file + " explains the stream)");
                return 1;
            }
        }
    }

    @Command(name = "lspci", mixinStandardHelpOptions = true, description = "The device's config space, decoded like lspci -vv.")
    public static final class Lspci implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SOCK")
        Path socket;

        @Override
        public Integer call() {
            try (VfioUserClient c = VfioUserClient.connect(socket)) {
                c.negotiate();
                System.out.print(ConfigSpaceListing.of(c));
                return 0;
            } catch (RuntimeException e) {
                System.err.println("lspci: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Print the backend program's JSON description (install it as /usr/share/vfio-user/50-vfio-sim.json).")
    public static final class Describe implements Callable<Integer> {
        @Option(names = "--binary", paramLabel = "PATH", defaultValue = "/usr/bin/vfio-sim",
                description = "Where the launcher is installed. Default: ${DEFAULT-VALUE}.")
        String binary;

        @Override
        public Integer call() {
            String version = StreamCommands.class.getPackage().getImplementationVersion();
            System.out.print(BackendDescription.json(binary, version == null ? "dev" : version));
            return 0;
        }
    }
}
