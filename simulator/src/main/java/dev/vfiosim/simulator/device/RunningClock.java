package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.device.state.OlderLayout;
import dev.vfiosim.simulator.device.state.StateRecordDeclaration;
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
    /** Restarts (function resets) since power-on; carried from record version 2 (device revision 3) on. */
    private long restarts;

    /** @param nanoTime a monotonic nanosecond source, {@code System::nanoTime} outside tests */
    public RunningClock(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        restart();
        restarts = 0;
    }

    /** Back to zero, running. */
    public synchronized void restart() {
        restartedAt = nanoTime.getAsLong();
        resumedAt = restartedAt;
        runningBeforePause = 0;
        paused = false;
        restarts++;
    }

    /** Function resets since power-on (a migrated device continues its source's count). */
    public synchronized long restarts() {
        return restarts;
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

    /**
     * What a migration carries: both clocks' readings, taken while paused, and the reset count.
     * Version 1 (device revisions 1 and 2) had no reset count: loading it starts the count at 0.
     */
    @StateRecordDeclaration(tag = 2, name = "clock", version = 2, olderLayouts = ClockState.V1.class)
    public record ClockState(long sinceRestartNanos, long runningNanos, long restarts) {
        /** Version 1: the two clocks only. */
        record V1(long sinceRestartNanos, long runningNanos) implements OlderLayout<ClockState> {
            V1(ClockState newer) {
                this(newer.sinceRestartNanos(), newer.runningNanos());
            }

            @Override
            public ClockState upgrade() {
                return new ClockState(sinceRestartNanos, runningNanos, 0);
            }
        }
    }

    public synchronized ClockState state() {
        return new ClockState(sinceRestartNanos(), runningNanos(), restarts);
    }

    /** Continues from {@code state}: the clocks read on from where the source's stopped. Stays paused. */
    public synchronized void restore(ClockState state) {
        long now = nanoTime.getAsLong();
        restartedAt = now - state.sinceRestartNanos();
        runningBeforePause = state.runningNanos();
        resumedAt = now;
        paused = true;
        restarts = state.restarts();
    }
}
