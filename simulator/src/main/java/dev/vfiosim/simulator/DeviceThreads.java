package dev.vfiosim.simulator;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every device of the process shares, so that a process serving a hundred devices
 * does not run two hundred device threads. Two parts:
 * <ul>
 *   <li>the <b>workers</b>, a pool of {@link #PARALLELISM} threads that run the devices' units of
 *       work (an engine pass after a doorbell; each device runs at most one unit at a time, see
 *       {@code DeviceEngine}); an idle device costs no thread and no wake-up;
 *   <li>the <b>ticker</b>, one thread that starts periodic work (the bulk-state workload's
 *       millisecond tick) on the workers.
 * </ul>
 * A unit of work that has to wait — a DMA that goes to the client as a message and waits for its
 * reply, a fault plan's {@code delay} — waits through {@link #block}: the pool then starts a spare
 * worker for as long as the wait lasts, so one device whose client never answers (or whose plan
 * delays for an hour) never keeps another device's doorbells waiting. The thread count is thus
 * {@link #PARALLELISM} + 1, plus one per device that is waiting right now for its client or its
 * fault plan (bounded by {@link #MAX_SPARE}); spares end after {@link #SPARE_KEEP_ALIVE_SECONDS}
 * idle.
 */
public final class DeviceThreads {
    /** Workers that run device work at once: the machine's CPUs, at least 2. */
    public static final int PARALLELISM = Math.max(2, Runtime.getRuntime().availableProcessors());
    /** Spare workers started for units that wait (past it a wait just blocks its worker). */
    static final int MAX_SPARE = 256;
    static final long SPARE_KEEP_ALIVE_SECONDS = 30;
    private static final DeviceThreads SHARED = new DeviceThreads();

    private final ForkJoinPool workers;
    private final ScheduledExecutorService ticker;

    private DeviceThreads() {
        AtomicInteger workerNumber = new AtomicInteger();
        workers = new ForkJoinPool(PARALLELISM, pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("vfio-sim-device-" + workerNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, true, 0, PARALLELISM + MAX_SPARE, 1, pool -> true, SPARE_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
        ScheduledThreadPoolExecutor scheduled = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "vfio-sim-device-ticker");
            t.setDaemon(true);
            return t;
        });
        // a device that closes cancels its tick: the queue must not keep it (and its state) alive
        scheduled.setRemoveOnCancelPolicy(true);
        ticker = scheduled;
    }

    /** The process's device threads. */
    public static DeviceThreads shared() {
        return SHARED;
    }

    /** Runs {@code unit} on a worker soon. */
    public void execute(Runnable unit) {
        workers.execute(unit);
    }

    /** Runs {@code tick} on a worker every {@code periodNanos}, until the returned future is cancelled. */
    public ScheduledFuture<?> every(long periodNanos, Runnable tick) {
        return ticker.scheduleAtFixedRate(() -> workers.execute(tick), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Threads the workers have now (spares included); for tests and the scale benchmark. */
    public int workerThreads() {
        return workers.getPoolSize();
    }

    /** A wait a unit of device work has to make. */
    @FunctionalInterface
    public interface Wait {
        void await() throws InterruptedException;
    }

    /**
     * Waits with {@code wait}; on a worker, a spare worker runs the other devices' work meanwhile.
     * Elsewhere (a session's command worker, a test's thread) it simply waits.
     */
    public static void block(Wait wait) throws InterruptedException {
        if (!(Thread.currentThread() instanceof ForkJoinWorkerThread)) {
            wait.await();
            return;
        }
        ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
            private boolean done;

            @Override
            public boolean block() throws InterruptedException {
                wait.await();
                done = true;
                return true;
            }

            @Override
            public boolean isReleasable() {
                return done;
            }
        });
    }
}
