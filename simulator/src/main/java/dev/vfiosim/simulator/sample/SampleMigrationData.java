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
 * stores bytes at the cursor into BAR1 then T (readable at once).
 *
 * <p>Departure from upstream, for VMMs that forward the pre-copy data too (QEMU, {@code vfio-sim
 * migrate}): upstream's destination takes exactly 0x3008 bytes and fails a longer write, so such a
 * VMM cannot migrate it. Here the destination takes up to one pre-copy pass more (0x3000 + 0x3008
 * bytes): what arrives beyond 0x3008 means the stream was pre-copy data followed by the stop-copy
 * data, and on leaving RESUMING the last 0x3008 bytes are applied. libvfio-user's client sends
 * exactly 0x3008 bytes and sees upstream's behaviour.
 *
 * <p>Entering a state (one call per arc the host composes):
 * <pre>
 * STOP_AND_COPY  disarm the timer; cursor = 0
 * PRE_COPY       cursor = 0 (the timer keeps running)
 * STOP           from STOP_AND_COPY the whole stream must have been read
 * RESUME         cursor = 0
 * RUNNING        the whole stream must have been read or written; arm the timer for T - now
 *                (see {@link TimerRegister#armFromStored}: a past T arms nothing, where upstream
 *                fails the arc with EINVAL)
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
    /** One pre-copy pass (BAR1) and the stop-copy stream: the most a destination takes. */
    public static final int MAX_RESUME = PRE_COPY_SIZE + STOP_COPY_SIZE;

    private final Bar1Storage bar1;
    private final TimerRegister timer;
    private volatile SampleState state = SampleState.RUNNING;
    private int cursor;
    private final byte[] resumed = new byte[MAX_RESUME];
    private int resumedBytes;

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
            case PRE_COPY -> cursor = 0;
            case RESUME -> {
                cursor = 0;
                resumedBytes = 0;
            }
            case STOP -> {
                if (state == SampleState.STOP_AND_COPY) {
                    requireWholeStream("STOP after STOP_AND_COPY");
                } else if (state == SampleState.RESUME && resumedBytes > STOP_COPY_SIZE) {
                    LOG.debug("resumed {} bytes: pre-copy data then the stop-copy stream, applying its last {}",
                            resumedBytes, STOP_COPY_SIZE);
                    apply(0, resumedBytes - STOP_COPY_SIZE, STOP_COPY_SIZE);
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

    /**
     * MIG_DATA_WRITE in RESUME: stores min(src.remaining(), room) bytes and returns how many. Within
     * the first 0x3008 bytes they take effect at once, into BAR1 then T.
     */
    public synchronized int write(ByteBuffer src) {
        if (state != SampleState.RESUME) {
            throw new DeviceException(Errno.EINVAL, "migration data is written only in RESUMING, not " + state);
        }
        int n = Math.min(src.remaining(), MAX_RESUME - resumedBytes);
        if (n <= 0) {
            return 0;
        }
        int at = resumedBytes;
        src.get(resumed, at, n);
        resumedBytes += n;
        if (resumedBytes <= STOP_COPY_SIZE) {
            apply(at, at, n);
        }
        cursor = Math.min(resumedBytes, STOP_COPY_SIZE);
        return n;
    }

    /** Stores {@code n} resumed bytes from {@code from} as stream bytes {@code at..}: BAR1, then T. */
    private void apply(int at, int from, int n) {
        int inBar1 = Math.max(0, Math.min(n, Bar1Storage.SIZE - at));
        if (inBar1 > 0) {
            bar1.load(at, ByteBuffer.wrap(resumed, from, inBar1));
        }
        long t = timer.stored();
        for (int i = inBar1; i < n; i++) {
            int shift = 8 * (at + i - Bar1Storage.SIZE);
            t = (t & ~(0xFFL << shift)) | ((resumed[from + i] & 0xFFL) << shift);
        }
        timer.restore(t);
    }
}
