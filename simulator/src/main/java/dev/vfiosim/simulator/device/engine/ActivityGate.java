package dev.vfiosim.simulator.device.engine;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Lets a device activity (the engine, the bulk-state workload) run its units of work only while
 * nobody holds it still. {@link #hold()} returns once the activity is outside any unit and keeps it
 * out until every hold is released; holds nest (a migration pause and a state snapshot may overlap).
 * The activity checks {@link #holdRequested()} between units so a hold waits for one unit at most.
 *
 * <p>An activity that runs on the shared device threads ({@code DeviceThreads}) must not wait in
 * {@link #enter()}: it uses {@link #tryEnter()}, leaves its work pending when held, and is started
 * again by the {@link #onReleased} callback once the last hold goes.
 */
public final class ActivityGate {
    private static final long RECHECK_NANOS = 1_000_000;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int holds;
    private int inside;
    private boolean closed;
    private volatile boolean holdRequested;
    private volatile Runnable onReleased = () -> { };

    /** Waits while held; returns false once closed. A true return must be matched by {@link #exit()}. */
    public boolean enter() {
        lock.lock();
        try {
            while (holds > 0 && !closed) {
                changed.awaitUninterruptibly();
            }
            if (closed) {
                return false;
            }
            inside++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Enters if nobody holds the activity and it is not closed, without waiting; a true return must
     * be matched by {@link #exit()}.
     */
    public boolean tryEnter() {
        lock.lock();
        try {
            if (holds > 0 || closed) {
                return false;
            }
            inside++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #tryEnter()} would fail now because of a hold or a close (work left pending waits for {@link #onReleased}). */
    public boolean heldOrClosed() {
        lock.lock();
        try {
            return holds > 0 || closed;
        } finally {
            lock.unlock();
        }
    }

    /** Who to call (on the releasing thread, outside the gate's lock) when the last hold is released. */
    public void onReleased(Runnable callback) {
        this.onReleased = callback;
    }

    public void exit() {
        lock.lock();
        try {
            inside--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Holds the activity still; returns when no unit of work is in progress. */
    public void hold() {
        lock.lock();
        try {
            holds++;
            holdRequested = true;
            while (inside > 0) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    public void release() {
        boolean free;
        lock.lock();
        try {
            if (holds > 0) {
                holds--;
            }
            holdRequested = holds > 0;
            free = holds == 0 && !closed;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (free) {
            onReleased.run();
        }
    }

    /** True while a hold is in place or waiting: the activity should stop at the end of its current unit. */
    public boolean holdRequested() {
        return holdRequested;
    }

    /**
     * Waits until no unit is in progress and {@code nothingToDo} holds, for at most {@code nanos}.
     * Returns whether that state was reached.
     */
    public boolean awaitOutside(BooleanSupplier nothingToDo, long nanos) {
        long deadline = System.nanoTime() + nanos;
        lock.lock();
        try {
            while (inside > 0 || !nothingToDo.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // the activity signals on exit; the bound covers work that arrives without a signal
                changed.awaitNanos(Math.min(left, RECHECK_NANOS));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Closes, then waits up to {@code nanos} for the unit in progress (if any) to end; whether it did. */
    public boolean closeAndAwaitOutside(long nanos) {
        close();
        return awaitOutside(() -> true, nanos);
    }
}
