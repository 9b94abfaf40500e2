package dev.vfiosim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.fixtures.process.ServerProcess;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code bin/vfio-sim} as a user meets it: exit codes, usage, the version, options refused before anything is made. */
class LauncherTest {
    @TempDir(factory = ServerProcess.ShortDirectory.class)
    Path dir;

    @Test
    void noCommandIsAUsageErrorOnStderr() throws Exception {
        Launcher run = Launcher.run(dir, 30).assertNoStackTrace();
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("", run.stdout());
        assertTrue(run.stderr().contains("Usage: vfio-sim") && run.stderr().contains("serve")
                && run.stderr().contains("migrate"), run.stderr());
    }

    @Test
    void anUnknownCommandIsAUsageError() throws Exception {
        Launcher run = Launcher.run(dir, 30, "serv").assertNoStackTrace();
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("serv"), run.stderr());
    }

    @Test
    void theVersionComesFromTheBuild() throws Exception {
        Properties built = new Properties();
        try (InputStream in = LauncherTest.class.getResourceAsStream("/version.properties")) {
            built.load(in);
        }
        String version = built.getProperty("version");
        assertFalse(version.contains("${"), "the build filtered the version in: " + version);
        Launcher run = Launcher.run(dir, 30, "--version");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("vfio-sim " + version + "\n", run.stdout());
    }

    static Stream<Arguments> badServeOptions() {
        return Stream.of(
                Arguments.of("--state-size=-5", "negative"),
                Arguments.of("--state-size=4097", "not a whole number of 4096-byte pages"),
                Arguments.of("--state-size=1000000g", "too large"),
                Arguments.of("--state-size=99999999999999999999", "too large"),
                Arguments.of("--state-size=lots", "not a size"),
                Arguments.of("--dirty-rate=-1", "negative"),
                Arguments.of("--dirty-rate=fast", "not a whole number"),
                Arguments.of("--migration=sometimes", "not one of"),
                Arguments.of("--irq-restore=never", "never"),
                Arguments.of("--message-timeout=0s", "positive"),
                Arguments.of("--log-level=loud", "not one of"),
                Arguments.of("--device-revision=99", "not within"));
    }

    @ParameterizedTest
    @MethodSource("badServeOptions")
    void aBadServeOptionIsRefusedBeforeTheSocketExists(String option, String reason) throws Exception {
        Path socket = dir.resolve("never.sock");
        Launcher run = Launcher.run(dir, 30, "serve", "--socket-path=" + socket, option).assertNoStackTrace();
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains(reason), option + " is refused saying why:\n" + run.stderr());
        assertFalse(Files.exists(socket), "nothing was created on disk for " + option);
    }

    static Stream<Arguments> badMigrateOptions() {
        return Stream.of(
                Arguments.of("--chunk=0", "must be at least 1"),
                Arguments.of("--chunk=-4", "must be at least 1"),
                Arguments.of("--max-iterations=0", "must be at least 1"),
                Arguments.of("--downtime-limit=-1s", "downtime"),
                Arguments.of("--precopy-time-limit=0s", "positive"),
                Arguments.of("--restore-order=LATER", "LATER"));
    }

    @ParameterizedTest
    @MethodSource("badMigrateOptions")
    void aBadMigrateOptionIsAUsageError(String option, String reason) throws Exception {
        Launcher run = Launcher.run(dir, 30, "migrate", "--from", dir.resolve("a.sock").toString(),
                "--to", dir.resolve("b.sock").toString(), option).assertNoStackTrace();
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains(reason), option + " is refused saying why:\n" + run.stderr());
    }

    @Test
    void migrateToAMissingSocketSaysSo() throws Exception {
        Launcher run = Launcher.run(dir, 30, "migrate", "--from", dir.resolve("a.sock").toString(),
                "--to", dir.resolve("b.sock").toString()).assertNoStackTrace();
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("no such socket"), run.stderr());
    }
}
