package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/** Bulk state held in memory with write tracking and a staging map: the engine's test double. */
final class MemoryPages implements PageSource, DirtyPageSource, PageSink {
    final byte[][] pages;
    private final BitSet dirty = new BitSet();
    private final Map<Long, byte[]> staged = new HashMap<>();
    private boolean tracking;
    int commits;

    MemoryPages(int pageSize, int count) {
        pages = new byte[count][pageSize];
    }

    /** Fills every page with bytes from the seed, as a workload would. */
    MemoryPages fill(long seed) {
        java.util.Random random = new java.util.Random(seed);
        for (byte[] page : pages) {
            random.nextBytes(page);
        }
        return this;
    }

    /** A device write into the bulk state. */
    void write(int page, int offset, byte value) {
        pages[page][offset] = value;
        if (tracking) {
            dirty.set(page);
        }
    }

    boolean sameContent(MemoryPages other) {
        return Arrays.deepEquals(pages, other.pages);
    }

    @Override public int pageSize() { return pages[0].length; }
    @Override public long pageCount() { return pages.length; }
    @Override public void readPage(long index, ByteBuffer dst) { dst.put(pages[(int) index]); }
    /** Lends the page itself, read-only (a heap buffer: the chunk's consumer here copies it out). */
    @Override public ByteBuffer stableMemory(long index) { return ByteBuffer.wrap(pages[(int) index]).asReadOnlyBuffer(); }
    @Override public int stablePageOffset(long index) { return 0; }
    @Override public void startTracking() { tracking = true; dirty.clear(); }
    @Override public void stopTracking() { tracking = false; }
    @Override public long dirtyPageCount() { return dirty.cardinality(); }

    @Override
    public BitSet takeDirtyPages() {
        BitSet taken = (BitSet) dirty.clone();
        dirty.clear();
        return taken;
    }

    @Override
    public void stagePage(long index, ByteBuffer page) {
        byte[] copy = new byte[page.remaining()];
        page.get(copy);
        staged.put(index, copy);
    }

    @Override
    public void commit() {
        commits++;
        staged.forEach((index, bytes) -> pages[index.intValue()] = bytes);
        staged.clear();
    }

    @Override
    public void discard() {
        staged.clear();
    }
}
