package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;

/** The device's bulk state as fixed-size pages, read one page at a time while saving. */
public interface PageSource {
    int pageSize();

    /** Number of pages; at most {@link Integer#MAX_VALUE} (8 TiB of 4 KiB pages). */
    long pageCount();

    /** Copies page {@code index} into {@code dst} (exactly {@link #pageSize()} bytes remaining). */
    void readPage(long index, ByteBuffer dst);
}
