package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;

/** The device's bulk state as fixed-size pages, read one page at a time while saving. */
public interface PageSource {
    int pageSize();

    /** Number of pages; at most {@link Integer#MAX_VALUE} (8 TiB of 4 KiB pages). */
    long pageCount();

    /** Copies page {@code index} into {@code dst} (exactly {@link #pageSize()} bytes remaining). */
    void readPage(long index, ByteBuffer dst);

    /**
     * The state's own memory that holds page {@code index}: a long-lived buffer (ideally direct and
     * read-only, the same one for many pages, so that lending a page allocates nothing and the
     * server looks its address up once), or {@code null} if the source has none. The page is
     * {@link #pageSize()} bytes at {@link #stablePageOffset}. A save session asks only while the
     * device is stopped and sends the bytes after this returns: the memory must not change until the
     * device runs again. The default lends nothing.
     */
    default ByteBuffer stableMemory(long index) {
        return null;
    }

    /** Where page {@code index} starts in {@link #stableMemory}; asked only when that is not null. */
    default int stablePageOffset(long index) {
        throw new UnsupportedOperationException("no stable memory");
    }
}
