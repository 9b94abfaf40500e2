package dev.vfiosim.server.transport;

import java.time.Duration;

/**
 * The time one incoming message may take once it has begun: a connection may sit idle between
 * messages for as long as the client likes, but a message whose first byte has arrived must be
 * complete within {@link #timeout()}, or a client that stops half-way would hold the device for
 * ever. One instance per reading thread, {@link #reset()} before each message; nothing is
 * allocated per message.
 */
public final class MessageDeadline {
    private final Duration timeout;
    private final long timeoutNanos;
    private boolean started;
    private boolean armed;
    private long deadline;

    public MessageDeadline(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("message timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
    }

    /** The next byte received starts a new message. */
    public void reset() {
        started = false;
        armed = false;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Whether the current message has begun (its first byte arrived). */
    public boolean started() {
        return started;
    }

    /** The message has begun. No clock is read here: a message that arrives whole never needs one. */
    void start() {
        started = true;
    }

    /**
     * Nanoseconds left for the current message; zero or less once it is over. The clock starts at
     * the first call, i.e. the first time a begun message would block, which is microseconds after
     * its first byte at most (nothing waited in between).
     */
    long remainingNanos() {
        long now = System.nanoTime();
        if (!armed) {
            armed = true;
            deadline = now + timeoutNanos;
        }
        return deadline - now;
    }
}
