package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.dma.DirtyPageTracker;
import dev.vfiosim.simulator.dma.IovaRange;
import dev.vfiosim.simulator.fault.FaultAction.OmitDirtyPages;
import dev.vfiosim.simulator.fault.FaultEvent.DirtyReportEvent;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FiredFault;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device dirty-page tracking (DEVICE_FEATURE DMA_LOGGING_START / STOP / REPORT) with the kernel's
 * argument checks. While logging is on, every device write through the {@link DmaMapTable} marks
 * the tracker, message-based DMA included (the device wrote those pages; reporting them too keeps the
 * report exact whichever side a client expects to track them).
 *
 * <pre>
 * START data:  0 u64 page_size, 8 u32 num_ranges, 12 u32 reserved (ignored: libvfio-user's client
 *              leaves it uninitialised), 16 num_ranges x {u64 iova, u64 length}
 * REPORT data: 0 u64 iova, 8 u64 length, 16 u64 page_size; reply: the same 24 bytes + bitmap
 *              (bit i%64 of u64 word i/64 is page i of the range)
 * </pre>
 *
 * <p>The {@code dirtyReport} fault site is REPORT: an omitDirtyPages fault clears bits of the bitmap
 * after the tracker has cleared them too, so those pages are lost as a buggy device loses them.
 */
final class DmaLogging {
    private static final Logger LOG = LoggerFactory.getLogger(DmaLogging.class);
    static final int START_SIZE = 16;
    static final int RANGE_SIZE = 16;
    static final int REPORT_SIZE = 24;
    /** The kernel guarantees at least one page of ranges: 4096 / 16. */
    static final int MAX_RANGES = 256;
    static final long MIN_PAGE = 4096;

    private final long maxBitmapBytes;
    private final FaultInjector faults;
    private volatile DirtyPageTracker tracker;

    DmaLogging(long maxBitmapBytes, FaultInjector faults) {
        this.maxBitmapBytes = maxBitmapBytes;
        this.faults = faults;
    }

    /** Called for every device write; cheap when logging is off. */
    void written(long iova, long length) {
        DirtyPageTracker t = tracker;
        if (t != null) {
            t.mark(iova, length);
        }
    }

    boolean active() {
        return tracker != null;
    }

    void stop() {
        tracker = null;
    }

    /** DMA_LOGGING_START (SET). */
    void start(ByteBuffer data, ByteBuffer reply) {
        if (data.remaining() < START_SIZE) {
            throw ProtocolException.invalid("DMA_LOGGING_START data is " + data.remaining() + " bytes, needs " + START_SIZE);
        }
        int b = data.position();
        long pageSize = data.getLong(b);
        long numRanges = Integer.toUnsignedLong(data.getInt(b + 8));
        if (pageSize < MIN_PAGE || Long.bitCount(pageSize) != 1) {
            throw ProtocolException.invalid("DMA_LOGGING_START page_size " + pageSize + " is not a power of two >= " + MIN_PAGE);
        }
        if (numRanges > MAX_RANGES) {
            throw new ProtocolException(Errno.E2BIG, "DMA_LOGGING_START asks for " + numRanges + " ranges, at most "
                    + MAX_RANGES);
        }
        if (data.remaining() != START_SIZE + numRanges * RANGE_SIZE) {
            throw ProtocolException.invalid("DMA_LOGGING_START announces " + numRanges + " ranges but carries "
                    + (data.remaining() - START_SIZE) + " bytes of them");
        }
        List<IovaRange> ranges = new ArrayList<>();
        for (int i = 0; i < numRanges; i++) {
            long iova = data.getLong(b + START_SIZE + i * RANGE_SIZE);
            long length = data.getLong(b + START_SIZE + i * RANGE_SIZE + 8);
            if (length == 0 || iova % pageSize != 0 || length % pageSize != 0) {
                throw ProtocolException.invalid("DMA_LOGGING_START range " + i + " (0x" + Long.toHexString(iova) + ", 0x"
                        + Long.toHexString(length) + ") is empty or not aligned to page_size " + pageSize);
            }
            if (Long.compareUnsigned(iova + length - 1, iova) < 0) {
                throw new ProtocolException(Errno.EOVERFLOW, "DMA_LOGGING_START range " + i + " wraps around");
            }
            IovaRange range = new IovaRange(iova, length);
            for (IovaRange other : ranges) {
                if (other.overlaps(range)) {
                    throw ProtocolException.invalid("DMA_LOGGING_START range " + i + " overlaps another range");
                }
            }
            ranges.add(range);
        }
        synchronized (this) {
            if (tracker != null) {
                throw ProtocolException.invalid("DMA_LOGGING_START while logging is already active");
            }
            tracker = new DirtyPageTracker(pageSize, ranges);
        }
        LOG.info("DMA logging started: page size {}, {}", pageSize,
                ranges.isEmpty() ? "all IOVAs (num_ranges 0, as the vfio-user spec allows)" : ranges.size() + " ranges");
    }

    /** DMA_LOGGING_STOP (SET): succeeds when logging was not on, as mlx5 does. */
    void stop(ByteBuffer data, ByteBuffer reply) {
        if (tracker != null) {
            LOG.info("DMA logging stopped");
        }
        stop();
    }

    /**
     * DMA_LOGGING_REPORT (GET). Its cost is bounded by the bitmap (which must fit {@code reply}) and
     * by the pages the device wrote inside the range, whatever the range's length.
     */
    void report(ByteBuffer data, ByteBuffer reply, long argsz) {
        if (data.remaining() < REPORT_SIZE) {
            throw ProtocolException.invalid("DMA_LOGGING_REPORT data is " + data.remaining() + " bytes, needs " + REPORT_SIZE);
        }
        int b = data.position();
        long iova = data.getLong(b);
        long length = data.getLong(b + 8);
        long pageSize = data.getLong(b + 16);
        DirtyPageTracker t = tracker;
        if (t == null) {
            throw ProtocolException.invalid("DMA_LOGGING_REPORT while logging is not active");
        }
        if (length == 0 || pageSize < MIN_PAGE || Long.bitCount(pageSize) != 1) {
            throw ProtocolException.invalid("DMA_LOGGING_REPORT length " + length + " / page_size " + pageSize
                    + ": length must be non-zero and page_size a power of two >= " + MIN_PAGE);
        }
        if (Long.compareUnsigned(iova + length - 1, iova) < 0) {
            throw new ProtocolException(Errno.EOVERFLOW, "DMA_LOGGING_REPORT range wraps around");
        }
        long bitmapBytes = DirtyPageTracker.bitmapBytes(length, pageSize);
        if (bitmapBytes > maxBitmapBytes || REPORT_SIZE + bitmapBytes > reply.remaining()) {
            throw new ProtocolException(Errno.E2BIG, "DMA_LOGGING_REPORT bitmap of " + bitmapBytes
                    + " bytes does not fit one reply (at most " + Math.min(maxBitmapBytes, reply.remaining() - REPORT_SIZE)
                    + "); report a smaller range");
        }
        if (argsz < DeviceFeature.SIZE + REPORT_SIZE + bitmapBytes) {
            throw ProtocolException.invalid("DMA_LOGGING_REPORT argsz " + argsz + " has no room for the "
                    + bitmapBytes + "-byte bitmap (needs " + (DeviceFeature.SIZE + REPORT_SIZE + bitmapBytes) + ")");
        }
        long[] bitmap = new long[(int) (bitmapBytes / Long.BYTES)];
        t.reportAndClear(iova, length, pageSize, bitmap);
        if (faults.active()) {
            omitInjected(iova, length, bitmap);
        }
        reply.putLong(iova).putLong(length).putLong(pageSize);
        for (long word : bitmap) {
            reply.putLong(word);
        }
    }

    /** Clears the pages an omitDirtyPages fault leaves out ({@code bitmap} and BitSet share the bit order). */
    private void omitInjected(long iova, long length, long[] bitmap) {
        BitSet dirty = BitSet.valueOf(bitmap);
        Optional<FiredFault> fired = faults.check(new DirtyReportEvent(iova, length, dirty.cardinality()));
        if (fired.isPresent() && fired.get().action() instanceof OmitDirtyPages omit) {
            omit.applyTo(dirty);
            long[] kept = dirty.toLongArray();
            Arrays.fill(bitmap, 0);
            System.arraycopy(kept, 0, bitmap, 0, kept.length);
        }
    }
}
