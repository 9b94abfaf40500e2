package dev.vfiosim.simulator.sample;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample's migration data and its transition callback: opaque bytes it reads and writes
 * itself, with one byte cursor.
 *
 * <pre>
 * phase      stream (total)   content, in order
 * PRE_COPY   0x3000 = 12288   BAR1 bytes 0..0x2fff (copied at each read)
 * STOP_COPY  0x3008 = 12296   BAR1 bytes 0..0x2fff, then T (BAR0's stored time, s64 little-endian)
 * </pre>
 * A read returns min(size, remaining) bytes from the cursor, and 0 at the end; the destination
 * stores bytes at the cursor into BAR1 then T (readable at once) and consumes min(size, remaining).
 *
 * <p>Entering a state (one call per arc the host composes):
 * <pre>
 * STOP_AND_COPY  disarm the timer; cursor = 0
 * PRE_COPY       cursor = 0 (the timer keeps running)
 * STOP           from STOP_AND_COPY the whole stream must have been read
 * RESUME         cursor = 0
 * RUNNING        the whole stream must have been read or written; arm the timer from T
 *                (EINVAL, and the arc fails, when T is in the past)
 * </pre>
 * Upstream asserts the two completeness checks and aborts the process; here the arc fails with
 * EINVAL and a log line naming the check, and the device stays usable.
 */
public final class SampleMigrationData {
    private static final Logger LOG = LoggerFactory.getLogger(SampleMigrationData.class);
    public static final int PRE_COPY_SIZE = Bar1Storage.SIZE;
    public static final int STOP_COPY_SIZE = Bar1Storage.SIZE + TimerRegister.SIZE;
    /** STOP_COPY | PRE_COPY: no P2P. */
    public static final long FLAGS = 0x1 | 0x4;

    private final Bar1Storage bar1;
    private final TimerRegister timer;
    private volatile SampleState state = SampleState.RUNNING;
    private int cursor;

    public SampleMigrationData(Bar1Storage bar1, TimerRegister timer) {
        this.bar1 = bar1;
        this.timer = timer;
    }

    public SampleState state() {
        return state;
    }

    public boolean running() {
        return state == SampleState.RUNNING;
    }

    /** Bytes moved through the cursor in the current phase. */
    public synchronized int cursor() {
        return cursor;
    }

    /** The transition callback, once per arc. On failure the state is unchanged. */
    public synchronized void enter(SampleState next) {
        LOG.debug("migration: transition to device state {}", next.code());
        switch (next) {
            case STOP_AND_COPY -> {
                timer.disarm();
                cursor = 0;
            }
            case PRE_COPY, RESUME -> cursor = 0;
            case STOP -> {
                if (state == SampleState.STOP_AND_COPY) {
                    requireWholeStream("STOP after STOP_AND_COPY");
                }
            }
            case RUNNING -> {
                requireWholeStream("RUNNING");
                timer.armFromStored();
            }
        }
        state = next;
    }

    private void requireWholeStream(String entering) {
        if (cursor != STOP_COPY_SIZE) {
            LOG.error("entering {} with {} of the {} migration bytes moved (upstream's assertion aborts here)",
                    entering, cursor, STOP_COPY_SIZE);
            throw new DeviceException(Errno.EINVAL, "entering " + entering + " needs the whole " + STOP_COPY_SIZE
                    + "-byte stream moved, only " + cursor + " were");
        }
    }

    /** Bytes a phase's stream holds (what a data-size query answers). */
    public int streamSize() {
        return state == SampleState.STOP_AND_COPY ? STOP_COPY_SIZE : PRE_COPY_SIZE;
    }

    /** Bytes of the phase's stream not yet read. */
    public synchronized int remaining() {
        return Math.max(0, streamSize() - cursor);
    }

    /** MIG_DATA_READ in PRE_COPY or STOP_AND_COPY: fills min(dst.remaining(), remaining) bytes. */
    public synchronized int read(ByteBuffer dst) {
        if (state != SampleState.PRE_COPY && state != SampleState.STOP_AND_COPY) {
            throw new DeviceException(Errno.EINVAL, "migration data is read only in PRE_COPY or STOP_COPY, not " + state);
        }
        int n = Math.min(dst.remaining(), streamSize() - cursor);
        if (n <= 0) {
            LOG.debug("no data left to read");
            return 0;
        }
        int inBar1 = Math.max(0, Math.min(n, Bar1Storage.SIZE - cursor));
        if (inBar1 > 0) {
            bar1.save(cursor, dst.slice(dst.position(), inBar1));
            dst.position(dst.position() + inBar1);
        }
        long t = timer.stored();
        for (int at = cursor + inBar1; at < cursor + n; at++) {
            dst.put((byte) (t >>> (8 * (at - Bar1Storage.SIZE))));
        }
        cursor += n;
        return n;
    }

    /** MIG_DATA_WRITE in RESUME: stores min(src.remaining(), remaining) bytes and returns how many. */
    public synchronized int write(ByteBuffer src) {
        if (state != SampleState.RESUME) {
            throw new DeviceException(Errno.EINVAL, "migration data is written only in RESUMING, not " + state);
        }
        int n = Math.min(src.remaining(), STOP_COPY_SIZE - cursor);
        if (n <= 0) {
            return 0;
        }
        int inBar1 = Math.max(0, Math.min(n, Bar1Storage.SIZE - cursor));
        if (inBar1 > 0) {
            bar1.load(cursor, src.slice(src.position(), inBar1));
            src.position(src.position() + inBar1);
        }
        long t = timer.stored();
        for (int at = cursor + inBar1; at < cursor + n; at++) {
            int shift = 8 * (at - Bar1Storage.SIZE);
            t = (t & ~(0xFFL << shift)) | ((src.get() & 0xFFL) << shift);
        }
        timer.restore(t);
        cursor += n;
        return n;
    }
}
