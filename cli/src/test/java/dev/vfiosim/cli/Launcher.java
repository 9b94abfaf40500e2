package dev.vfiosim.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.fixtures.process.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of {@code bin/vfio-sim} to its end, as a user's shell runs it. */
public record Launcher(int exitCode, String stdout, String stderr) {
    /** Runs {@code bin/vfio-sim args...} with its output in files under {@code dir}; fails if it takes over {@code seconds}. */
    public static Launcher run(Path dir, int seconds, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out-", ".txt");
        Path err = Files.createTempFile(dir, "err-", ".txt");
        Process p = ServerProcess.launcher(List.of(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        Launcher run = new Launcher(ended ? p.exitValue() : -1, Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        assertTrue(ended, "vfio-sim " + String.join(" ", args) + " ends within " + seconds + " s: " + run);
        return run;
    }

    /** What a user must never see: a Java stack trace. */
    public Launcher assertNoStackTrace() {
        assertFalse(stderr.contains("\tat ") || stderr.contains("Exception in thread"), "no stack trace:\n" + stderr);
        return this;
    }
}
