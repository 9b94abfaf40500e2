package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;

/**
 * The data side of a device's migration as the host drives it: MIG_DATA_READ, MIG_DATA_WRITE and
 * the sizes. {@link MigrationSessions} is the record-stream implementation; a device migrating
 * opaque bytes has its own; fault decorators wrap either.
 */
public interface MigrationData {
    /** MIG_DATA_READ: up to {@code dst.remaining()} bytes; 0 = nothing now (pre-copy) or the end (stop-copy). */
    int read(ByteBuffer dst);

    /**
     * MIG_DATA_READ into a chunk that may take lent memory instead of copies, same counts as
     * {@link #read(ByteBuffer)}; the default copies everything inline.
     */
    default int read(DataChunk chunk) {
        return chunk.readInline(this::read);
    }

    /** MIG_DATA_WRITE: consumes all of {@code src}. */
    void write(ByteBuffer src);

    /** MIG_DATA_SIZE, in any state. */
    long stopCopySize();

    /** PRECOPY_INFO initial bytes (EINVAL outside the pre-copy states). */
    long initialBytes();

    /** PRECOPY_INFO dirty bytes (EINVAL outside the pre-copy states). */
    long dirtyBytes();

    /** Tag of the record the next read or write starts in, or -1 when unknown (lets a fault name a record). */
    default int recordInFlight() {
        return -1;
    }
}
