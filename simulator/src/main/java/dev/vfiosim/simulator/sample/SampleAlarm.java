package dev.vfiosim.simulator.sample;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The sample's one-shot real-time timer (upstream: ITIMER_REAL and SIGALRM) on a thread of its own.
 * Arming replaces a pending expiry. Unlike upstream, whose expiry is noticed only when the signal
 * interrupts the server's wait for the next request, the expiry runs when it is due, whatever the
 * server is doing: the same in the client's flow (the server is idle at both expiries), and it
 * cannot be lost.
 */
public final class SampleAlarm implements TimerRegister.Alarm, AutoCloseable {
    private final ScheduledExecutorService thread;
    private final Runnable expiry;
    private ScheduledFuture<?> pending;

    public SampleAlarm(Runnable expiry) {
        this.expiry = expiry;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sample-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Expiry after {@code seconds} (0: at once, on the timer's thread). */
    @Override
    public synchronized void arm(long seconds) {
        disarm();
        pending = thread.schedule(expiry, seconds, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void disarm() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /** Whether an expiry is scheduled and has not run yet. */
    public synchronized boolean armed() {
        return pending != null && !pending.isDone();
    }

    @Override
    public void close() {
        disarm();
        thread.shutdownNow();
    }
}
