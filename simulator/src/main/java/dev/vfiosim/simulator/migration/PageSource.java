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
     * Page {@code index} as a view of the state's own memory (exactly {@link #pageSize()} bytes from
     * position to limit, ideally read-only and direct), or {@code null} if the source has none. A save
     * session asks only while the device is stopped, and sends the bytes after this returns: the
     * memory must not change until the device runs again. The default lends nothing.
     */
    default ByteBuffer stablePage(long index) {
        return null;
    }
}
