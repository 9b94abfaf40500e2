package dev.vfiosim.simulator.fault;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in a plan: a number with a unit ({@code 250ms}, {@code 2s},
 * {@code 1.5s}, {@code 100us}, {@code 5m}) or ISO-8601 ({@code PT0.25S}). A bare number is refused:
 * whether {@code 100} meant milliseconds or seconds is exactly the mistake a fault plan must not hide.
 */
public final class DurationText {
    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L, "us", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private DurationText() {
    }

    /** Parses a duration, or throws {@link IllegalArgumentException} saying what is accepted. */
    public static Duration parse(String text) {
        String t = text.trim();
        Matcher m = WITH_UNIT.matcher(t);
        if (m.matches()) {
            BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2))));
            try {
                return Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("duration \"" + text + "\" is too long");
            }
        }
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                Duration d = Duration.parse(t);
                if (d.isNegative()) {
                    throw new IllegalArgumentException("duration \"" + text + "\" is negative");
                }
                return d;
            } catch (DateTimeParseException e) {
                // fall through to the common complaint
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a duration; write a number with a unit"
                + " (ns, us, ms, s, m, h: \"250ms\", \"1.5s\") or ISO-8601 (\"PT0.25S\")");
    }

    /** The shortest exact form in the units {@link #parse} reads: {@code 250ms}, {@code 2s}, {@code 1500us}. */
    public static String format(Duration d) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            return d.toString();
        }
        if (nanos == 0) {
            return "0s";
        }
        String[] units = {"h", "m", "s", "ms", "us", "ns"};
        for (String unit : units) {
            long per = NANOS_PER_UNIT.get(unit);
            if (nanos % per == 0) {
                return nanos / per + unit;
            }
        }
        return nanos + "ns";
    }
}
