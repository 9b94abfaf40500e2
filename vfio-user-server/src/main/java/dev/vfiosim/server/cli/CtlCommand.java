package dev.vfiosim.server.cli;

import dev.vfiosim.server.control.ControlClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vfio-sim ctl PATH CMD...}: one command to a running device's control socket, its reply on stdout. */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Ask a running device (serve --control=PATH): status, metrics, faults list|arm ID|disarm ID|fired [N]|summary, help.")
final class CtlCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "The control socket of serve --control.")
    Path socket;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command;

    @Override
    public Integer call() {
        String reply;
        try {
            reply = ControlClient.ask(socket, String.join(" ", command), Duration.ofSeconds(10));
        } catch (IOException e) {
            System.err.println("ctl: " + socket + ": " + e.getMessage());
            return VfioSimCommand.EXIT_START_FAILED;
        }
        boolean ok = reply.startsWith("ok");
        String body = reply.startsWith("ok\n") ? reply.substring(3) : reply;
        (ok ? System.out : System.err).print(body.endsWith("\n\n") ? body.substring(0, body.length() - 1) : body);
        return ok ? 0 : VfioSimCommand.EXIT_START_FAILED;
    }
}
