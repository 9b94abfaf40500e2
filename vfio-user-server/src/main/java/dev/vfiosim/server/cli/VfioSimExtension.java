package dev.vfiosim.server.cli;

/**
 * A subcommand that lives in a module above the server (the mini-VMM's {@code migrate} is in
 * test-fixtures, which depends on the server, not the other way round). Found with
 * {@link java.util.ServiceLoader} when that module is on the class path.
 */
public interface VfioSimExtension {
    String name();

    /** A picocli command object (annotated with {@code @Command}). */
    Object command();
}
