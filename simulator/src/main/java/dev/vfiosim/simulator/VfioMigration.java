package dev.vfiosim.simulator;

import dev.vfiosim.simulator.migration.DataChunk;
import java.nio.ByteBuffer;

/**
 * The migration side of a device as the server sees it: the v2 uAPI operations, each a counterpart
 * of a DEVICE_FEATURE or MIG_DATA command. States are the uAPI's numbers (ERROR 0 ... PRE_COPY_P2P 7).
 * Every refusal is a {@link DeviceException} with the errno the kernel would return.
 */
public interface VfioMigration {
    /** VFIO_DEVICE_FEATURE_MIGRATION flags: STOP_COPY 0x1, P2P 0x2, PRE_COPY 0x4. */
    long flags();

    /** The current device state. */
    int state();

    /**
     * Moves to {@code target} one arc at a time as the kernel composes them. On failure the state is
     * the last one reached (or ERROR), and the exception says which arc failed and why.
     */
    void setState(int target);

    /** MIG_DATA_SIZE: estimated bytes the stop-copy phase will produce; callable in any state. */
    long stopCopySize();

    /** The pre-copy sizes (PRECOPY_INFO); EINVAL outside PRE_COPY and PRE_COPY_P2P. */
    PrecopyInfo precopyInfo();

    /**
     * MIG_DATA_READ: fills up to {@code dst.remaining()} bytes and returns how many. In PRE_COPY a 0
     * means "nothing more right now"; in STOP_COPY a short count comes only at the true end and 0
     * means the end. EINVAL in any other state.
     */
    int read(ByteBuffer dst);

    /**
     * MIG_DATA_READ into a chunk (same counts and refusals as {@link #read(ByteBuffer)}): a stopped
     * device may lend its memory to the chunk instead of copying it, so the server sends pages
     * straight from the state. The default copies everything inline, which any device supports.
     */
    default int read(DataChunk chunk) {
        return chunk.readInline(this::read);
    }

    /** MIG_DATA_WRITE: consumes all of {@code src}; EINVAL outside RESUMING. */
    void write(ByteBuffer src);

    /** Initial bytes not yet read, and dirty bytes produced since. */
    record PrecopyInfo(long initialBytes, long dirtyBytes) {
    }

    /** uAPI state numbers. */
    int ERROR = 0;
    int STOP = 1;
    int RUNNING = 2;
    int STOP_COPY = 3;
    int RESUMING = 4;
    int RUNNING_P2P = 5;
    int PRE_COPY = 6;
    int PRE_COPY_P2P = 7;
}
