package dev.vfiosim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.fixtures.process.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --list-devices} and {@code --device=NAME} as a user's shell runs them (the built jar). */
class DeviceSelectionTest {
    @TempDir(factory = ServerProcess.ShortDirectory.class)
    Path dir;

    @Test
    void listsTheDeviceModelsOnTheClassPathAndExitsZero() throws Exception {
        Launcher run = Launcher.run(dir, 60, "serve", "--list-devices").assertNoStackTrace();
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().lines().anyMatch(l -> l.startsWith("mlx5-vf\t") && l.length() > "mlx5-vf\t".length()),
                "name, tab, description: " + run.stdout());
    }

    @Test
    void anUnknownDeviceIsAUsageErrorNamingTheKnownOnesBeforeAnythingIsBound() throws Exception {
        Path socket = dir.resolve("never.sock");
        Launcher run = Launcher.run(dir, 60, "serve", "--device=no-such-nic", "--socket-path=" + socket)
                .assertNoStackTrace();
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("no-such-nic") && run.stderr().contains("mlx5-vf"), run.stderr());
        assertFalse(Files.exists(socket), "nothing was bound");
    }

    @Test
    void aDeviceOptionTheModelDoesNotKnowIsAUsageError() throws Exception {
        Path socket = dir.resolve("never.sock");
        Launcher run = Launcher.run(dir, 60, "serve", "--device-option=colour=red", "--socket-path=" + socket)
                .assertNoStackTrace();
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("colour") && run.stderr().contains("state-size"), run.stderr());
        assertFalse(Files.exists(socket), "nothing was bound");
    }
}
