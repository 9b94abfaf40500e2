package dev.vfiosim.cli;

import dev.vfiosim.simulator.SizeText;

import dev.vfiosim.simulator.fault.DurationText;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The option types the commands share, each refusing a bad value with a sentence that says what
 * is allowed. They run while picocli parses, so a refused value is a usage error (exit 2) before
 * any command has created anything.
 */
final class Options {
    private static final long PAGE = 4096;

    private Options() {}

    /**
     * A converter from a domain type's own parser: its {@link IllegalArgumentException} becomes
     * picocli's usage error with the same sentence. Subclasses only name the parser (picocli needs
     * a class per option).
     */
    abstract static class Parsed<T> implements ITypeConverter<T> {
        private final java.util.function.Function<String, T> parser;

        Parsed(java.util.function.Function<String, T> parser) {
            this.parser = parser;
        }

        @Override
        public T convert(String value) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A byte count: digits with an optional k, m or g (binary units). */
    static long parseSize(String value) {
        try {
            return SizeText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** The bulk state's size: whole pages, and no more than a test machine can back with memfds. */
    static final class StateSize implements ITypeConverter<Long> {
        static final long MAX = 64L << 30;
        static final String MAX_TEXT = "64g";

        @Override
        public Long convert(String value) {
            long bytes = parseSize(value);
            // too large is said first: a huge number that is also not whole pages is too large above all
            if (bytes > MAX) {
                throw new TypeConversionException("'" + value + "' is too large: the state size is at most " + MAX_TEXT);
            }
            if (bytes % PAGE != 0) {
                throw new TypeConversionException("'" + value + "' is not a whole number of 4096-byte pages");
            }
            return bytes;
        }
    }

    /** Pages dirtied per second: not negative, and bounded so that rate arithmetic cannot overflow. */
    static final class DirtyRate implements ITypeConverter<Long> {
        static final long MAX = 100_000_000;

        @Override
        public Long convert(String value) {
            long rate;
            try {
                rate = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number of pages per second");
            }
            if (rate < 0) {
                throw new TypeConversionException("'" + value + "' is negative");
            }
            if (rate > MAX) {
                throw new TypeConversionException("'" + value + "' is too large: at most " + MAX + " pages/s");
            }
            return rate;
        }
    }

    /** A count that must be at least 1 (iterations, chunk bytes). */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number up to " + Integer.MAX_VALUE);
            }
            if (n < 1) {
                throw new TypeConversionException("'" + value + "' must be at least 1");
            }
            return n;
        }
    }

    /** 250ms, 2s, 1m ...: positive. */
    static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = DurationText.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            if (d.isZero() || d.isNegative()) {
                throw new TypeConversionException("'" + value + "': the duration must be positive");
            }
            return d;
        }
    }

    /** A Logback level name; {@link VfioSimCommand#main} has already applied it. */
    static final class LogLevel implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String level = value.toLowerCase(Locale.ROOT);
            if (!VfioSimCommand.LOG_LEVELS.contains(level)) {
                throw new TypeConversionException("'" + value + "' is not one of trace, debug, info, warn, error, off");
            }
            return level;
        }
    }
}
