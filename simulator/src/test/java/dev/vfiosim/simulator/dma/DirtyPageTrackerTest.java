package dev.vfiosim.simulator.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DirtyPageTrackerTest {
    private static final long PAGE = 4096;

    private static long[] report(DirtyPageTracker t, long iova, long length, long pageSize) {
        long[] bitmap = new long[(int) (DirtyPageTracker.bitmapBytes(length, pageSize) / 8)];
        t.reportAndClear(iova, length, pageSize, bitmap);
        return bitmap;
    }

    @Test
    void reportsExactlyTheWrittenPagesOnceAndClearsThem() {
        DirtyPageTracker t = new DirtyPageTracker(PAGE, List.of(new IovaRange(0x100000, 64 * PAGE)));
        t.mark(0x100000 + 3 * PAGE + 10, 8);            // page 3
        t.mark(0x100000 + 5 * PAGE - 1, 2);             // pages 4 and 5
        t.mark(0x100000 + 63 * PAGE, PAGE);             // page 63
        t.mark(0x100000 + 64 * PAGE, PAGE);             // outside the range: ignored
        t.mark(0x0, PAGE);                              // outside: ignored
        long[] first = report(t, 0x100000, 64 * PAGE, PAGE);
        assertArrayEquals(new long[] {(1L << 3) | (1L << 4) | (1L << 5) | (1L << 63)}, first);
        assertArrayEquals(new long[] {0}, report(t, 0x100000, 64 * PAGE, PAGE), "read-and-clear");
    }

    @Test
    void aReportOfPartOfTheRangeLeavesTheRestDirty() {
        DirtyPageTracker t = new DirtyPageTracker(PAGE, List.of());
        t.mark(0, 10 * PAGE);
        assertArrayEquals(new long[] {0b1111}, report(t, 2 * PAGE, 4 * PAGE, PAGE));
        assertArrayEquals(new long[] {0b11 | (0b1111L << 6)}, report(t, 0, 10 * PAGE, PAGE));
    }

    @Test
    void coarserAndFinerReportGranulesConvert() {
        DirtyPageTracker t = new DirtyPageTracker(PAGE, List.of());
        t.mark(5 * PAGE, 1);
        assertArrayEquals(new long[] {1L << 2}, report(t, 0, 64 * PAGE, 2 * PAGE), "page 5 lies in 8 KiB page 2");
        DirtyPageTracker coarse = new DirtyPageTracker(4 * PAGE, List.of());
        coarse.mark(5 * PAGE, 1);
        assertArrayEquals(new long[] {0b1111L << 4}, report(coarse, 0, 16 * PAGE, PAGE),
                "a 16 KiB tracked page sets each 4 KiB report bit it covers");
    }

    @Test
    void matchesABitSetModelUnderRandomWritesAndReports() {
        Random random = new Random(42);
        long base = 0x40000000L;
        int pages = 5000;
        DirtyPageTracker t = new DirtyPageTracker(PAGE, List.of(new IovaRange(base, pages * PAGE)));
        BitSet model = new BitSet(pages);
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < 20; i++) {
                long off = (long) (random.nextDouble() * (pages * PAGE - 1));
                long len = 1 + random.nextInt((int) (3 * PAGE));
                t.mark(base + off, len);
                long lastByte = Math.min(off + len - 1, pages * PAGE - 1);
                model.set((int) (off / PAGE), (int) (lastByte / PAGE) + 1);
            }
            int from = random.nextInt(pages);
            int count = 1 + random.nextInt(pages - from);
            long[] bitmap = report(t, base + from * PAGE, count * PAGE, PAGE);
            BitSet expected = model.get(from, from + count);
            model.clear(from, from + count);
            assertEquals(expected, BitSet.valueOf(bitmap), "round " + round);
        }
    }

    /** Cost follows the written pages, not the range: [0, 2^62) at 2^60 is 4 bits and two chunk lookups. */
    @Test
    void aHugeRangeAtAHugePageSizeVisitsOnlyWrittenChunks() {
        DirtyPageTracker t = new DirtyPageTracker(PAGE, List.of());
        t.mark(0x1000, 8);
        t.mark((3L << 60) + 0x5000, 8);
        assertEquals(8, DirtyPageTracker.bitmapBytes(1L << 62, 1L << 60));
        assertArrayEquals(new long[] {0b1001}, report(t, 0, 1L << 62, 1L << 60));
        assertArrayEquals(new long[] {0}, report(t, 0, 1L << 62, 1L << 60), "both reported and cleared");
    }

    @Test
    void iovasAboveTwoToTheSixtyThirdAreReportedWithUnsignedOffsets() {
        long high = 0x8000_0000_0000_0000L;
        DirtyPageTracker t = new DirtyPageTracker(PAGE, List.of(new IovaRange(high, 1L << 40)));
        t.mark(high + 2 * PAGE, 1);
        t.mark(high - PAGE, PAGE);   // below the range: ignored
        assertArrayEquals(new long[] {0b100}, report(t, high, 64 * PAGE, PAGE));
        t.mark(high + 130 * PAGE, 1);
        assertArrayEquals(new long[] {0b10}, report(t, high, 64 * 128 * PAGE, 128 * PAGE), "coarser report page");
        assertEquals(8, DirtyPageTracker.bitmapBytes(-PAGE, 1L << 62), "length near 2^64 does not wrap to 0");
    }
}
