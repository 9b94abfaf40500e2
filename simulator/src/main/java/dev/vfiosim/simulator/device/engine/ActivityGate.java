package dev.vfiosim.simulator.device.engine;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Lets a device activity (the engine, the bulk-state workload) run its units of work only while
 * nobody holds it still. {@link #hold()} returns once the activity is outside any unit and keeps it
 * out until every hold is released; holds nest (a migration pause and a state snapshot may overlap).
 * The activity checks {@link #holdRequested()} between units so a hold waits for one unit at most.
 */
public final class ActivityGate {
    private static final long RECHECK_NANOS = 1_000_000;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int holds;
    private int inside;
    private boolean closed;
    private volatile boolean holdRequested;

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
        lock.lock();
        try {
            if (holds > 0) {
                holds--;
            }
            holdRequested = holds > 0;
            changed.signalAll();
        } finally {
            lock.unlock();
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
}
