package dev.vfiosim.server.session;

import org.slf4j.Logger;

/**
 * The log of one connection's bad messages, readable however many there are: the first
 * {@link #WARN_FIRST} at WARN, after that at most one WARN per {@link #WARN_INTERVAL_NANOS} saying how
 * many were passed over since (those go to DEBUG), and a one-line total at disconnect. A fuzzer
 * sending a million bad messages leaves a few hundred lines, not hundreds of megabytes.
 * Thread-safe: the reader and a command worker both report here.
 */
final class BadMessageLog {
    static final int WARN_FIRST = 5;
    static final long WARN_INTERVAL_NANOS = 1_000_000_000L;

    private final Logger log;
    private final String name;
    private long total;
    private long suppressed;
    private long lastWarn;
    private String first;
    private String last;

    BadMessageLog(Logger log, String name) {
        this.log = log;
        this.name = name;
    }

    /** One bad message, {@code what} saying which and why. */
    synchronized void report(String what) {
        total++;
        if (first == null) {
            first = what;
        }
        last = what;
        long now = System.nanoTime();
        if (total <= WARN_FIRST) {
            lastWarn = now;
            log.warn("{}: {}", name, what);
        } else if (now - lastWarn >= WARN_INTERVAL_NANOS) {
            lastWarn = now;
            log.warn("{}: {} ({} more bad messages since the last warning, logged at DEBUG)", name, what, suppressed);
            suppressed = 0;
        } else {
            suppressed++;
            log.debug("{}: {}", name, what);
        }
    }

    synchronized long total() {
        return total;
    }

    /** For the disconnect line: empty when all was well. */
    synchronized String summary() {
        if (total == 0) {
            return "no bad messages";
        }
        return total + " bad messages (first: " + first + (total > 1 ? "; last: " + last : "") + ")";
    }
}
