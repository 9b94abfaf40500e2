package dev.vfiosim.simulator.device.bulk;

import dev.vfiosim.simulator.DeviceThreads;
import dev.vfiosim.simulator.device.engine.ActivityGate;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's background work on its bulk state: at {@code pagesPerSecond} of device running time
 * it writes a 16-byte stamp (page number, write number) at a pseudo-random 16-byte-aligned offset
 * of a pseudo-random page, both drawn from a seeded xorshift64* generator. It runs as a
 * millisecond tick on the process's shared {@link DeviceThreads} (scheduled only for a non-zero
 * rate, so an idle device costs nothing) and stands still while paused, like the engine: a tick
 * that finds the activity held does nothing, and the next one after the release catches up on the
 * device's running time (which itself stands still while the device is paused).
 *
 * <pre>
 * stamp  off  size  field
 *        0x0  u64   page number
 *        0x8  u64   write number (1 for the activity's first write)
 * </pre>
 */
public final class BulkStateActivity implements AutoCloseable {
    public static final int STAMP_SIZE = 16;
    private static final Logger LOG = LoggerFactory.getLogger(BulkStateActivity.class);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Teardown waits this long for a tick in progress; it holds no lock between ticks, so it can be left behind. */
    private static final long JOIN_MILLIS = 500;
    /** Failures logged in full; later ones only every LOG_EVERY-th. */
    private static final long LOG_FIRST = 3;
    private static final long LOG_EVERY = 1000;
    private static final double NANOS_PER_SECOND = 1e9;
    /** At most this many seconds' worth of writes in one tick, so a stalled thread does not burst. */
    private static final double MAX_CATCH_UP_SECONDS = 0.1;
    private static final long XORSHIFT_MULTIPLIER = 0x2545F4914F6CDD1DL;
    private static final int SHIFT_A = 12;
    private static final int SHIFT_B = 25;
    private static final int SHIFT_C = 27;

    private final BulkState state;
    private final long pagesPerSecond;
    private final LongSupplier runningNanos;
    private final ActivityGate gate = new ActivityGate();
    private final ByteBuffer stamp = ByteBuffer.allocate(STAMP_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ScheduledFuture<?> ticks;
    private final AtomicBoolean ticking = new AtomicBoolean();
    /** Tick state, touched only inside the gate (one tick at a time: the gate's lock orders them). */
    private long last = Long.MIN_VALUE;   // no reading yet: the first tick only sets the clock
    private double credit;
    private long generator;
    private long writes;
    private boolean paused;
    private volatile long failures;

    /** @param runningNanos the device's running time (stands still while the device is paused) */
    public BulkStateActivity(BulkState state, BulkStateSettings settings, LongSupplier runningNanos) {
        this.state = state;
        this.pagesPerSecond = settings.pagesPerSecond();
        this.runningNanos = runningNanos;
        this.generator = settings.seed() == 0 ? 1 : settings.seed();
        this.ticks = pagesPerSecond > 0 && state.pageCount() > 0 ? DeviceThreads.shared().every(TICK_NANOS, this::tick)
                : null;
    }

    private void tick() {
        // one tick at a time: one still running when the next is due makes that one a no-op
        if (!ticking.compareAndSet(false, true)) {
            return;
        }
        // held (paused, a snapshot) or closed: nothing this tick; the credit covers the time later
        try {
            if (gate.tryEnter()) {
                tickInside();
            }
        } finally {
            ticking.set(false);
        }
    }

    /** One tick's writes; the caller has entered the gate, this exits it. */
    private void tickInside() {
        try {
            long now = runningNanos.getAsLong();
            if (last == Long.MIN_VALUE) {
                last = now;
            }
            // the clock restarts on reset: a step backwards earns nothing
            credit = Math.min(credit + Math.max(0, now - last) * pagesPerSecond / NANOS_PER_SECOND,
                    pagesPerSecond * MAX_CATCH_UP_SECONDS + 1);
            last = now;
            while (credit >= 1 && !gate.holdRequested()) {
                writeOne();
                credit--;
            }
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            // no failure may end the activity or keep the gate entered: count it, skip the tick's work
            credit = 0;
            failed(e);
        } finally {
            gate.exit();
        }
    }

    private void failed(Throwable e) {
        long n = ++failures;   // only a tick writes it, one tick at a time
        if (n <= LOG_FIRST || n % LOG_EVERY == 0) {
            LOG.warn("bulk state activity: write failed ({} failures so far); carrying on", n, e);
        }
    }

    /** Writes that failed on the activity thread (each is logged, rate-limited, and skipped). */
    public long failures() {
        return failures;
    }

    /** Writes {@code count} stamps now, whatever the rate (the thread's step; tests call it directly). */
    public synchronized void writePages(int count) {
        for (int i = 0; i < count; i++) {
            writeOne();
        }
    }

    private synchronized void writeOne() {
        int page = (int) Long.remainderUnsigned(next(), state.pageCount());
        int offset = (int) Long.remainderUnsigned(next(), BulkState.PAGE_SIZE / STAMP_SIZE) * STAMP_SIZE;
        writes++;
        stamp.clear();
        stamp.putLong(page).putLong(writes).flip();
        state.write(page, offset, stamp);
    }

    private long next() {
        generator ^= generator >>> SHIFT_A;
        generator ^= generator << SHIFT_B;
        generator ^= generator >>> SHIFT_C;
        return generator * XORSHIFT_MULTIPLIER;
    }

    /** Stops writing (idempotent); returns once no write is in progress. */
    public void pause() {
        synchronized (gate) {
            if (!paused) {
                paused = true;
                gate.hold();
            }
        }
    }

    public void resume() {
        synchronized (gate) {
            if (paused) {
                paused = false;
                gate.release();
            }
        }
    }

    public synchronized BulkStateHeader header() {
        return new BulkStateHeader(state.bytes(), state.pageSize(), generator, writes);
    }

    /** Continues a migrated activity: the generator and write count from the source. */
    public synchronized void restore(BulkStateHeader header) {
        if (header.bytes() != state.bytes() || header.pageSize() != state.pageSize()) {
            throw new IllegalArgumentException("bulk state of " + header.bytes() + " bytes in " + header.pageSize()
                    + "-byte pages does not fit this device's " + state.bytes() + " bytes in " + state.pageSize());
        }
        generator = header.generatorState();
        writes = header.writes();
    }

    public synchronized long writes() {
        return writes;
    }

    public long pagesPerSecond() {
        return pagesPerSecond;
    }

    @Override
    public void close() {
        if (ticks != null) {
            ticks.cancel(false);
        }
        if (!gate.closeAndAwaitOutside(TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS))) {
            LOG.warn("bulk state activity tick did not stop within {} ms; left to finish on its own", JOIN_MILLIS);
        }
    }
}
