package dev.vfiosim.simulator.dma;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which guest pages the device wrote since they were last reported (DMA logging). Device threads
 * {@link #mark} while the VMM's {@link #reportAndClear} reads and clears concurrently; a page written
 * during a report is either in this report or the next one, never lost.
 *
 * <p>Storage is sparse: a chunk of {@value #PAGES_PER_CHUNK} page bits exists only once a page in it
 * was written, so tracking "everything" (an empty range list) costs nothing until the device writes.
 * Chunks are kept in page order, and a report visits only the chunks inside its range: its cost is
 * bounded by the pages the device actually wrote and by its bitmap, never by the range's length (a
 * client may ask about [0, 2^62) at a 2^60 page size: an 8-byte bitmap, a few lookups).
 */
public final class DirtyPageTracker {
    static final int WORDS_PER_CHUNK = 64;
    static final int PAGES_PER_CHUNK = WORDS_PER_CHUNK * Long.SIZE;

    private final long pageSize;
    private final int pageShift;
    private final List<IovaRange> ranges;
    /** Chunk index (page / PAGES_PER_CHUNK; pages stay below 2^52, so natural order is address order). */
    private final ConcurrentSkipListMap<Long, AtomicLongArray> chunks = new ConcurrentSkipListMap<>();

    /**
     * @param pageSize tracking granule, a power of two
     * @param ranges what to track; empty means every IOVA
     */
    public DirtyPageTracker(long pageSize, List<IovaRange> ranges) {
        // page numbers must stay far from the sign bit of a long: 4 KiB pages and up
        if (pageSize < 4096 || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size " + pageSize + " is not a power of two");
        }
        this.pageSize = pageSize;
        this.pageShift = Long.numberOfTrailingZeros(pageSize);
        this.ranges = List.copyOf(ranges);
    }

    public long pageSize() {
        return pageSize;
    }

    public List<IovaRange> ranges() {
        return ranges;
    }

    /** Records a device write of {@code length} bytes at {@code iova} (the parts inside tracked ranges). */
    public void mark(long iova, long length) {
        if (length <= 0) {
            return;
        }
        IovaRange written = new IovaRange(iova, length);
        if (ranges.isEmpty()) {
            markPages(written.iova(), written.last());
            return;
        }
        for (IovaRange r : ranges) {
            if (r.overlaps(written)) {
                long first = Long.compareUnsigned(r.iova(), iova) > 0 ? r.iova() : iova;
                long last = Long.compareUnsigned(r.last(), written.last()) < 0 ? r.last() : written.last();
                markPages(first, last);
            }
        }
    }

    private void markPages(long first, long last) {
        for (long page = first >>> pageShift, end = last >>> pageShift; Long.compareUnsigned(page, end) <= 0; page++) {
            AtomicLongArray chunk = chunks.computeIfAbsent(page / PAGES_PER_CHUNK, k -> new AtomicLongArray(WORDS_PER_CHUNK));
            int bit = (int) (page % PAGES_PER_CHUNK);
            long mask = 1L << (bit % Long.SIZE);
            int word = bit / Long.SIZE;
            if ((chunk.get(word) & mask) == 0) {
                chunk.getAndAccumulate(word, mask, (a, b) -> a | b);
            }
        }
    }

    /**
     * DMA_LOGGING_REPORT: sets bit i of {@code bitmap} (bit i%64 of little-endian u64 word i/64) for
     * every {@code reportPageSize} page i of [iova, iova+length) that overlaps a page the device
     * wrote, and clears what it reported. Bits are only set: the caller provides a zeroed bitmap.
     *
     * @param bitmap at least {@link #bitmapBytes} long
     */
    public void reportAndClear(long iova, long length, long reportPageSize, long[] bitmap) {
        long firstPage = iova >>> pageShift;
        long lastPage = (iova + length - 1) >>> pageShift;
        for (var entry : chunks.subMap(firstPage / PAGES_PER_CHUNK, true, lastPage / PAGES_PER_CHUNK, true).entrySet()) {
            long chunkStartPage = entry.getKey() * PAGES_PER_CHUNK;
            long chunkLastPage = chunkStartPage + PAGES_PER_CHUNK - 1;
            AtomicLongArray chunk = entry.getValue();
            long from = Math.max(firstPage, chunkStartPage);
            long to = Math.min(chunkLastPage, lastPage);
            for (int w = (int) ((from - chunkStartPage) / Long.SIZE); w <= (to - chunkStartPage) / Long.SIZE; w++) {
                long wordFirstPage = chunkStartPage + (long) w * Long.SIZE;
                long wanted = windowMask(wordFirstPage, from, to);
                long taken = chunk.getAndAccumulate(w, wanted, (a, m) -> a & ~m) & wanted;
                while (taken != 0) {
                    int b = Long.numberOfTrailingZeros(taken);
                    taken &= taken - 1;
                    setReportBits((wordFirstPage + b) << pageShift, iova, length, reportPageSize, bitmap);
                }
            }
        }
    }

    /** Bits of a 64-page word (starting at page {@code wordFirstPage}) that lie within [from, to]. */
    private static long windowMask(long wordFirstPage, long from, long to) {
        long lo = Math.max(0, from - wordFirstPage);
        long hi = Math.min(Long.SIZE - 1, to - wordFirstPage);
        long upTo = hi == Long.SIZE - 1 ? -1L : (1L << (hi + 1)) - 1;
        return upTo & (-1L << lo);
    }

    /** Sets the report bits that the tracked page at {@code pageAddress} overlaps (unsigned offsets from iova). */
    private void setReportBits(long pageAddress, long iova, long length, long reportPageSize, long[] bitmap) {
        long first = Long.compareUnsigned(pageAddress, iova) > 0 ? pageAddress - iova : 0;
        long pageLast = pageAddress + pageSize - 1;
        long rangeLast = iova + length - 1;
        long last = (Long.compareUnsigned(pageLast, rangeLast) < 0 ? pageLast : rangeLast) - iova;
        long lastBit = Long.divideUnsigned(last, reportPageSize);
        for (long bit = Long.divideUnsigned(first, reportPageSize); bit <= lastBit; bit++) {
            bitmap[(int) (bit / Long.SIZE)] |= 1L << (bit % Long.SIZE);
        }
    }

    /**
     * Bytes of a report bitmap for [iova, iova+length) at {@code reportPageSize}: whole u64 words.
     * {@code length} is unsigned and not 0.
     */
    public static long bitmapBytes(long length, long reportPageSize) {
        long bits = Long.divideUnsigned(length - 1, reportPageSize) + 1;
        return (bits + Long.SIZE - 1) / Long.SIZE * Long.BYTES;
    }
}
