package dev.vfiosim.simulator.device.bulk;

import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Memory the device owns (like mlx5 firmware/ICM pages): {@code bytes} of it in chunks of at most
 * {@link #CHUNK_SIZE}, allocated by the server's allocator (memfds, off the Java heap) so that a
 * 1 GiB state works, with a dirty bit per 4 KiB page.
 *
 * <p>Dirty tracking is "dirty since last read": every page starts dirty (nobody has read it yet); a
 * device write sets the bit after the bytes are in place, and {@link #takeDirty()} returns and clears
 * the set. A reader that takes the set and then reads the pages therefore never misses a write: one
 * that races the read sets the bit again and the page comes up in the next round.
 */
public final class BulkState implements AutoCloseable {
    public static final int PAGE_SIZE = 4096;
    public static final int CHUNK_SIZE = 64 << 20;
    private static final int PAGES_PER_CHUNK = CHUNK_SIZE / PAGE_SIZE;

    private final long bytes;
    private final int pageCount;
    private final SharedMemory[] chunks;
    private final ByteBuffer[] views;
    /** Read-only twins of {@link #views}, from which pages are lent to a migration stream. */
    private final ByteBuffer[] readOnlyViews;
    private final AtomicLongArray dirty;

    public BulkState(SharedMemoryAllocator allocator, long bytes) {
        if (bytes < 0 || bytes % PAGE_SIZE != 0 || bytes / PAGE_SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bulk state size " + bytes + " is not a multiple of " + PAGE_SIZE);
        }
        this.bytes = bytes;
        this.pageCount = (int) (bytes / PAGE_SIZE);
        int chunkCount = (int) ((bytes + CHUNK_SIZE - 1) / CHUNK_SIZE);
        chunks = new SharedMemory[chunkCount];
        views = new ByteBuffer[chunkCount];
        readOnlyViews = new ByteBuffer[chunkCount];
        for (int i = 0; i < chunkCount; i++) {
            chunks[i] = allocator.allocate("mlx5-vf-bulk-" + i, (int) Math.min(CHUNK_SIZE, bytes - (long) i * CHUNK_SIZE));
            views[i] = chunks[i].buffer();
            readOnlyViews[i] = views[i].asReadOnlyBuffer();
        }
        dirty = new AtomicLongArray((pageCount + Long.SIZE - 1) / Long.SIZE);
        markAllDirty();
    }

    public long bytes() {
        return bytes;
    }

    public int pageSize() {
        return PAGE_SIZE;
    }

    public int pageCount() {
        return pageCount;
    }

    /** Copies page {@code page} into {@code dst} (which needs {@link #PAGE_SIZE} bytes remaining), advancing it. */
    public void readPage(int page, ByteBuffer dst) {
        checkPage(page);
        dst.put(dst.position(), views[page / PAGES_PER_CHUNK], offsetInChunk(page), PAGE_SIZE);
        dst.position(dst.position() + PAGE_SIZE);
    }

    /**
     * The memory of page {@code page} in place: a read-only view of the (off-heap) chunk that holds
     * it, at {@link #offsetInMemory}; a stopped device's migration sends it without copying. The bytes
     * are the live page: they change with the next device write.
     */
    public ByteBuffer memoryOf(int page) {
        checkPage(page);
        return readOnlyViews[page / PAGES_PER_CHUNK];
    }

    /** Where page {@code page} starts in {@link #memoryOf}. */
    public int offsetInMemory(int page) {
        checkPage(page);
        return offsetInChunk(page);
    }

    /**
     * Loads page {@code page} from {@code src} (a migration destination). Loading is not the device
     * dirtying the page, so the dirty bit is left alone.
     */
    public void loadPage(int page, ByteBuffer src) {
        checkPage(page);
        views[page / PAGES_PER_CHUNK].put(offsetInChunk(page), src, src.position(), PAGE_SIZE);
        src.position(src.position() + PAGE_SIZE);
    }

    /** The device writes {@code src} at {@code offset} inside {@code page}, then marks the page dirty. */
    void write(int page, int offset, ByteBuffer src) {
        checkPage(page);
        if (offset < 0 || offset + src.remaining() > PAGE_SIZE) {
            throw new IllegalArgumentException("write of " + src.remaining() + " bytes at " + offset + " leaves the page");
        }
        int length = src.remaining();
        views[page / PAGES_PER_CHUNK].put(offsetInChunk(page) + offset, src, src.position(), length);
        src.position(src.position() + length);
        markDirty(page);
    }

    /** Returns the pages dirtied since the last call (or since creation) and clears them. */
    public BitSet takeDirty() {
        long[] words = new long[dirty.length()];
        for (int i = 0; i < words.length; i++) {
            words[i] = dirty.getAndSet(i, 0);
        }
        return BitSet.valueOf(words);
    }

    /** Dirty pages right now, without clearing them. */
    public int dirtyCount() {
        int n = 0;
        for (int i = 0; i < dirty.length(); i++) {
            n += Long.bitCount(dirty.get(i));
        }
        return n;
    }

    /** Every page dirty again, e.g. when a new migration starts from scratch. */
    public void markAllDirty() {
        for (int page = 0; page < pageCount; page++) {
            markDirty(page);
        }
    }

    private void markDirty(int page) {
        int word = page / Long.SIZE;
        long bit = 1L << (page % Long.SIZE);
        long old;
        do {
            old = dirty.get(word);
        } while ((old & bit) == 0 && !dirty.compareAndSet(word, old, old | bit));
    }

    private void checkPage(int page) {
        if (page < 0 || page >= pageCount) {
            throw new IndexOutOfBoundsException("page " + page + " is not within 0.." + (pageCount - 1));
        }
    }

    private static int offsetInChunk(int page) {
        return page % PAGES_PER_CHUNK * PAGE_SIZE;
    }

    @Override
    public void close() {
        for (SharedMemory chunk : chunks) {
            chunk.close();
        }
    }
}
