package dev.vfiosim.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code vfio-sim}: the command line of the simulator, one jar for every command.
 *
 * <p>To add a command: write a {@code @Command} class in this package and name it in
 * {@link #COMMANDS} below; that one line is the whole registration.
 */
@Command(name = "vfio-sim", mixinStandardHelpOptions = true, versionProvider = VfioSimCommand.BuildVersion.class,
        description = "A migratable mlx5-style PCI function served over vfio-user.")
public final class VfioSimCommand implements Callable<Integer> {
    /**
     * Every command, in the order {@code --help} lists them. Picocli reads the annotations of each
     * one it is given (and of every type their options name); a command line that names its
     * command first is given that one alone ({@link #commandLine(String...)}), which keeps
     * {@code serve}'s start from paying for the other commands' models.
     */
    static final List<Class<?>> COMMANDS = List.of(
            ServeCommand.class,
            MigrateCommand.class,
            StreamCommands.Save.class,
            StreamCommands.Load.class,
            InspectCommand.class,
            StreamCommands.Lspci.class,
            CtlCommand.class,
            StreamCommands.Describe.class,
            CampaignCommand.class);

    /** Exit code when the server could not start (bad socket path, fd) or a command failed at run time. */
    public static final int EXIT_START_FAILED = 1;
    /** Exit code for a bad command line, a fault plan that cannot be read or run included: picocli's usage-error code. */
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    /** A fault plan is part of the command line, so a bad one is a usage error. */
    public static final int EXIT_BAD_FAULT_PLAN = EXIT_USAGE;

    /** The log levels {@code --log-level} takes (Logback's names). */
    static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");
    /** The system property the root log level is taken from ({@link LogSetup}). */
    static final String LOG_LEVEL_PROPERTY = "vfio-sim.log.level";

    @Override
    public Integer call() {
        // no command is a usage error: a script that forgot the command must not see success
        CommandLine commandLine = commandLine();   // with every command, for the usage's list
        commandLine.getErr().println("vfio-sim: a command is needed");
        commandLine.usage(commandLine.getErr());
        return EXIT_USAGE;
    }

    /** {@code --version}: the version Maven filtered into version.properties at build time. */
    static final class BuildVersion implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vfio-sim " + version()};
        }

        static String version() {
            try (InputStream in = VfioSimCommand.class.getResourceAsStream("/version.properties")) {
                if (in == null) {
                    return "(unknown: version.properties is missing)";
                }
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "(unknown)");
            } catch (IOException e) {
                return "(unknown: " + e.getMessage() + ")";
            }
        }
    }

    /** The command line with every command and the error handling a user sees: messages, never stack traces. */
    public static CommandLine commandLine() {
        return withCommands(COMMANDS);
    }

    /**
     * The command line that runs {@code args}: if they begin with a command's name, with that
     * command alone (what it parses and prints is the same as with all of them: nothing of the
     * others can match once the command is named); otherwise with every command.
     */
    public static CommandLine commandLine(String... args) {
        if (args.length > 0) {
            for (Class<?> command : COMMANDS) {
                if (command.getAnnotation(Command.class).name().equals(args[0])) {
                    return withCommands(List.of(command));
                }
            }
        }
        return commandLine();
    }

    private static CommandLine withCommands(List<Class<?>> commands) {
        CommandLine commandLine = new CommandLine(new VfioSimCommand());
        for (Class<?> command : commands) {
            commandLine.addSubcommand(command);
        }
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            PrintWriter err = cl.getErr();
            err.println(cl.getCommandName() + ": " + describe(e));
            return EXIT_START_FAILED;
        });
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine cl = e.getCommandLine();
            PrintWriter err = cl.getErr();
            err.println(cl.getCommandName() + ": " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
            }
            return EXIT_USAGE;
        });
        return commandLine;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    public static void main(String[] args) {
        String level = logLevel(args);
        if (level == null && args.length > 0 && args[0].equals("campaign")) {
            level = "warn";   // a campaign runs hundreds of devices through faults: their INFO lines would drown its report
        }
        if (level != null) {
            // must be set before the first logger exists: LogSetup reads it once
            System.setProperty(LOG_LEVEL_PROPERTY, level);
        }
        if (args.length > 0 && args[0].equals("serve")) {
            NativeWarmUp.start();
        }
        System.exit(commandLine(args).execute(args));
    }

    /**
     * The level {@code -v}/{@code --verbose} (debug) or {@code --log-level=LEVEL} asks for, looked for
     * before picocli parses: the logging backend starts with the first logger. A level that is not one
     * of {@link #LOG_LEVELS} is left to the command's own option check, which refuses it.
     */
    static String logLevel(String[] args) {
        String level = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                break;
            }
            if (arg.equals("-v") || arg.equals("--verbose")) {
                level = "debug";
            } else if (arg.startsWith("--log-level=")) {
                level = arg.substring("--log-level=".length());
            } else if (arg.equals("--log-level") && i + 1 < args.length) {
                level = args[i + 1];
            }
        }
        if (level == null) {
            return null;
        }
        level = level.toLowerCase(Locale.ROOT);
        return LOG_LEVELS.contains(level) ? level : null;
    }
}
