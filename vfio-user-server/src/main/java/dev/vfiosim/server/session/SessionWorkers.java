package dev.vfiosim.server.session;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that serve connections with messages to read, shared by every device of the
 * process: a fixed set (as many as CPUs, at least 2) plus spares while they are stuck. A connection
 * holds a worker only while it has messages (docs/connection.md, "Fixed threads plus per-connection
 * work"); one whose worker is stuck — a client trickling a message until its deadline, a fault
 * plan's delay, a teardown — must not make the others wait, so when the oldest waiting turn has
 * waited {@link #STARVED_NANOS} and no worker is free, a spare is started (at most
 * {@link #MAX_WORKERS} in all); a spare ends after {@link #SPARE_IDLE_SECONDS} without work.
 */
final class SessionWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(SessionWorkers.class);
    static final int FIXED = Math.max(2, Runtime.getRuntime().availableProcessors());
    static final int MAX_WORKERS = 256;
    /**
     * Far above a healthy turn (a slice is 2 ms) and above the scheduling delays of a loaded 2-CPU
     * machine: only a stuck worker makes a turn wait this long.
     */
    static final long STARVED_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often the poller looks at the queue while turns wait. */
    static final int CHECK_MILLIS = 10;
    private static final long SPARE_IDLE_SECONDS = 2;

    private record Turn(Runnable task, long queuedAt) {
    }

    private final LinkedBlockingQueue<Turn> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger free = new AtomicInteger();
    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicInteger spareNames = new AtomicInteger();
    private final Runnable wakeWatchdog;

    /** {@code wakeWatchdog} makes whoever calls {@link #lookAfter()} look soon (the poller). */
    SessionWorkers(Runnable wakeWatchdog) {
        this.wakeWatchdog = wakeWatchdog;
        for (int i = 0; i < FIXED; i++) {
            start("vfio-user-worker-" + i, false);
        }
    }

    /** Runs {@code task} on a worker, behind the turns already waiting. */
    void submit(Runnable task) {
        queue.add(new Turn(task, System.nanoTime()));
        if (free.get() == 0) {
            wakeWatchdog.run();   // every worker busy: the watchdog must start timing this turn
        }
    }

    /** Whether turns wait for a worker: a connection on a worker then lets them go first. */
    boolean othersWaiting() {
        return !queue.isEmpty();
    }

    /** The poller's next timeout: short while turns wait, so a stuck set of workers is noticed. */
    int checkAfterMillis() {
        return queue.isEmpty() ? -1 : CHECK_MILLIS;
    }

    /** Starts a spare if the oldest turn has waited too long and no worker is free. */
    void lookAfter() {
        Turn oldest = queue.peek();
        if (oldest == null || free.get() > 0 || System.nanoTime() - oldest.queuedAt() < STARVED_NANOS) {
            return;
        }
        if (workers.get() >= MAX_WORKERS) {
            return;
        }
        LOG.debug("every session worker is busy and a connection has waited over {} ms: starting a spare",
                TimeUnit.NANOSECONDS.toMillis(STARVED_NANOS));
        // String.concat, not +: a first spare late in a process's life links no new method handles
        // (the leak soaks count the JVM's own objects too)
        start("vfio-user-spare-".concat(Integer.toString(spareNames.incrementAndGet())), true);
    }

    /** Workers now, spares included. */
    int workers() {
        return workers.get();
    }

    private void start(String name, boolean spare) {
        workers.incrementAndGet();
        Thread t = new Thread(() -> work(spare), name);
        t.setDaemon(true);
        t.start();
    }

    private void work(boolean spare) {
        try {
            while (true) {
                Turn turn;
                free.incrementAndGet();
                try {
                    turn = spare ? queue.poll(SPARE_IDLE_SECONDS, TimeUnit.SECONDS) : queue.take();
                } catch (InterruptedException e) {
                    return;
                } finally {
                    free.decrementAndGet();
                }
                if (turn == null) {
                    return;
                }
                try {
                    turn.task().run();
                } catch (RuntimeException | Error e) {
                    LOG.error("a session's turn failed", e);
                }
            }
        } finally {
            workers.decrementAndGet();
        }
    }
}
