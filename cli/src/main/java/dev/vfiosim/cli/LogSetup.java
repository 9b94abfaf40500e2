package dev.vfiosim.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The command line's logging: everything to stderr (stdout is for results a script reads), at the
 * level of the {@value VfioSimCommand#LOG_LEVEL_PROPERTY} system property that {@code -v} and
 * {@code --log-level} set (INFO without it). Set up in code, found by Logback through its
 * {@link Configurator} service: reading an XML file costs a start about a tenth of a second of
 * class loading and parsing before the socket can listen. A file of your own still replaces it:
 * with {@code -Dlogback.configurationFile=FILE} this steps aside and Logback reads FILE.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "[%thread] %level %logger - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty(VfioSimCommand.LOG_LEVEL_PROPERTY), Level.INFO));
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
