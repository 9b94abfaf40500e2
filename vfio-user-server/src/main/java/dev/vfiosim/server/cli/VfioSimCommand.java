package dev.vfiosim.server.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vfio-sim}: the command line of the simulator. */
@Command(name = "vfio-sim", mixinStandardHelpOptions = true, version = "vfio-sim 0.1.0",
        description = "A migratable mlx5-style PCI function served over vfio-user.",
        subcommands = {ServeCommand.class, CtlCommand.class, InspectCommand.class})
public final class VfioSimCommand implements Runnable {
    /** Exit code when the server could not start (bad socket path, fd, options). */
    public static final int EXIT_START_FAILED = 1;
    /** Exit code for a fault plan that cannot be read or run: picocli's code for a bad command line, which it is part of. */
    public static final int EXIT_BAD_FAULT_PLAN = 2;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        for (String arg : args) {
            if (arg.equals("-v") || arg.equals("--verbose")) {
                // must be set before the first logger exists
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
            }
        }
        CommandLine commandLine = new CommandLine(new VfioSimCommand());
        for (VfioSimExtension extension : ServiceLoader.load(VfioSimExtension.class)) {
            commandLine.addSubcommand(extension.name(), extension.command());
        }
        System.exit(commandLine.execute(args));
    }
}
