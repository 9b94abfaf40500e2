package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;

/** Where a resume session puts received bulk pages: a staging copy the live state never sees early. */
public interface PageSink {
    /** Stages page {@code index} (exactly one page of bytes in {@code page}); a later copy replaces it. */
    void stagePage(long index, ByteBuffer page);

    /** Makes the staged pages the device's bulk state. */
    void commit();

    void discard();
}
