package dev.vfiosim.simulator.api;

import dev.vfiosim.simulator.VfioMigration.PrecopyInfo;
import dev.vfiosim.simulator.migration.DataChunk;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import java.nio.ByteBuffer;

/**
 * Migration in libvfio-user's style: the device produces and consumes its migration data itself,
 * as bytes the host does not interpret (no framing, no checksum, no version: the device's own
 * business). The host runs the v2 state machine, calls {@link #transition} once per arc, checks
 * that data calls come in a state that allows them (EINVAL otherwise) and applies faults to the
 * bytes going through. All methods run on the server's command thread, one at a time.
 */
public interface OpaqueMigration extends MigrationTransitions {
    /** The states the device offers (VFIO_DEVICE_FEATURE_MIGRATION flags); STOP_COPY is mandatory. */
    MigrationFeatures features();

    /**
     * MIG_DATA_READ in PRE_COPY, PRE_COPY_P2P and STOP_COPY: writes up to {@code dst.remaining()}
     * bytes into {@code dst} and returns how many. In a pre-copy state 0 means "nothing more for
     * now"; in STOP_COPY 0 means the end of the data.
     */
    int readData(ByteBuffer dst);

    /**
     * MIG_DATA_READ into a chunk, same counts as {@link #readData(ByteBuffer)}: a device whose data
     * sits in its own memory may {@link DataChunk#lend lend} it (a range of a long-lived buffer whose
     * bytes stay unchanged until the device runs again) instead of copying, when {@link DataChunk#lends()} says so (the host
     * allows it only in STOP_COPY); small bytes go inline. The default copies through
     * {@link #readData(ByteBuffer)}, so a device need not know about chunks.
     */
    default int readData(DataChunk chunk) {
        return chunk.readInline(this::readData);
    }

    /**
     * MIG_DATA_WRITE in RESUMING: consumes all of {@code src} (a partial write is a refusal:
     * {@link dev.vfiosim.simulator.DeviceException} with EINVAL or the errno that fits).
     */
    void writeData(ByteBuffer src);

    /** MIG_DATA_SIZE: the bytes a stop-copy from now would produce (an estimate; 0 if unknown). */
    default long stopCopySize() {
        return 0;
    }

    /** PRECOPY_INFO in a pre-copy state: initial bytes not yet read and dirty bytes since. */
    default PrecopyInfo precopyInfo() {
        return new PrecopyInfo(0, 0);
    }
}
