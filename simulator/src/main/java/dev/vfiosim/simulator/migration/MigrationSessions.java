package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.nio.ByteBuffer;

/**
 * The arcs of a device built from a {@link DeviceRunControl} (its engine) and a
 * {@link MigrationImage} (what it migrates), and the data side the server drives: MIG_DATA_READ,
 * MIG_DATA_WRITE, the pre-copy sizes and MIG_DATA_SIZE. At most one session exists at a time.
 *
 * <p>A failed RESUMING → STOP puts the device in ERROR with nothing applied; a reset leaves.
 */
public final class MigrationSessions implements MigrationArcs, MigrationData {
    private final MigrationImage image;
    private final DeviceRunControl device;
    private SaveSession save;
    private ResumeSession resume;

    public MigrationSessions(MigrationImage image, DeviceRunControl device) {
        this.image = image;
        this.device = device;
    }

    @Override
    public synchronized void quiesceP2P() {
        device.quiesceP2P();
    }

    @Override
    public synchronized void unquiesceP2P() {
        device.unquiesceP2P();
    }

    @Override
    public synchronized void stopDevice() {
        device.stop();
    }

    @Override
    public synchronized void startDevice() {
        device.start();
    }

    @Override
    public synchronized void startDeviceP2P() {
        device.startQuiesced();
    }

    @Override
    public synchronized void startPreCopy() {
        save = SaveSession.preCopy(image);
    }

    @Override
    public synchronized void startStopCopy() {
        save = SaveSession.stopCopy(image);
    }

    @Override
    public synchronized void enterStopCopy() {
        device.stop();
        save.enterStopCopy();
    }

    @Override
    public synchronized void endSaving() {
        save.close();
        save = null;
    }

    @Override
    public synchronized void startResuming() {
        resume = new ResumeSession(image);
    }

    /**
     * Validates the whole stream and applies it. A stream that fails validation leaves the device
     * in ERROR (only a reset leaves): the device has nothing it could run, and the VMM must notice.
     */
    @Override
    public synchronized void commitResume() {
        try {
            resume.finish();
        } catch (DeviceBrokenException e) {
            throw e;
        } catch (DeviceException e) {
            resume = null;
            DeviceBrokenException broken = new DeviceBrokenException(e.errno(),
                    "the migration stream was rejected at RESUMING -> STOP, nothing of it was applied: " + e.getMessage());
            broken.initCause(e);
            throw broken;
        }
        resume = null;
    }

    @Override
    public synchronized void dropSessions() {
        if (save != null) {
            save.close();
            save = null;
        }
        if (resume != null) {
            resume.discard();
            resume = null;
        }
    }

    /** MIG_DATA_READ (see {@link SaveSession#read} for short and zero counts). */
    @Override
    public synchronized int read(ByteBuffer dst) {
        return saving().read(dst);
    }

    /** MIG_DATA_READ into a chunk: pages lent in STOP_COPY (see {@link SaveSession#read(DataChunk)}). */
    @Override
    public synchronized int read(DataChunk chunk) {
        return saving().read(chunk);
    }

    /** MIG_DATA_WRITE: consumes all of {@code src}. */
    @Override
    public synchronized void write(ByteBuffer src) {
        if (resume == null) {
            throw new DeviceException(Errno.EINVAL, "MIG_DATA_WRITE is valid only in RESUMING");
        }
        resume.write(src);
    }

    /**
     * Tag of the record the next MIG_DATA_READ (save) or MIG_DATA_WRITE (resume) starts in, or -1
     * when between records or without a session: lets a fault name a record.
     */
    @Override
    public synchronized int recordInFlight() {
        if (save != null) {
            return save.recordInFlight();
        }
        return resume != null ? resume.recordInFlight() : -1;
    }

    /** Pre-copy info: initial bytes not yet read (-EINVAL outside PRE_COPY and PRE_COPY_P2P). */
    @Override
    public synchronized long initialBytes() {
        return saving().initialBytes();
    }

    /** Pre-copy info: change data pending (-EINVAL outside PRE_COPY and PRE_COPY_P2P). */
    @Override
    public synchronized long dirtyBytes() {
        return saving().dirtyBytes();
    }

    /** MIG_DATA_SIZE, in any state: what STOP_COPY would produce from here. */
    @Override
    public synchronized long stopCopySize() {
        return save != null ? save.stopCopySize() : image.fullImageSize();
    }

    private SaveSession saving() {
        if (save == null) {
            throw new DeviceException(Errno.EINVAL, "no save session: valid only in PRE_COPY, PRE_COPY_P2P and STOP_COPY");
        }
        return save;
    }
}
