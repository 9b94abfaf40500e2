package dev.vfiosim.simulator.device;

import java.util.function.LongSupplier;

/**
 * Time as the device experiences it: free-running time since the last reset, and running time that
 * stands still while the device is paused (a stopped migration state must not age the device).
 */
public final class RunningClock {
    private final LongSupplier nanoTime;
    private long restartedAt;
    private long runningBeforePause;
    private long resumedAt;
    private boolean paused;

    /** @param nanoTime a monotonic nanosecond source, {@code System::nanoTime} outside tests */
    public RunningClock(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        restart();
    }

    /** Back to zero, running. */
    public synchronized void restart() {
        restartedAt = nanoTime.getAsLong();
        resumedAt = restartedAt;
        runningBeforePause = 0;
        paused = false;
    }

    public synchronized void pause() {
        if (!paused) {
            runningBeforePause += nanoTime.getAsLong() - resumedAt;
            paused = true;
        }
    }

    public synchronized void resume() {
        if (paused) {
            resumedAt = nanoTime.getAsLong();
            paused = false;
        }
    }

    public synchronized boolean paused() {
        return paused;
    }

    /** Nanoseconds since the last restart, paused or not. */
    public synchronized long sinceRestartNanos() {
        return nanoTime.getAsLong() - restartedAt;
    }

    /** Nanoseconds the device has spent running since the last restart. */
    public synchronized long runningNanos() {
        return paused ? runningBeforePause : runningBeforePause + nanoTime.getAsLong() - resumedAt;
    }

    /** What a migration carries: both clocks' readings, taken while paused. */
    public record ClockState(long sinceRestartNanos, long runningNanos) {
    }

    public synchronized ClockState state() {
        return new ClockState(sinceRestartNanos(), runningNanos());
    }

    /** Continues from {@code state}: the clocks read on from where the source's stopped. Stays paused. */
    public synchronized void restore(ClockState state) {
        long now = nanoTime.getAsLong();
        restartedAt = now - state.sinceRestartNanos();
        runningBeforePause = state.runningNanos();
        resumedAt = now;
        paused = true;
    }
}
