package dev.vfiosim.simulator.host;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.api.OpaqueMigration;
import dev.vfiosim.simulator.migration.DataChunk;
import dev.vfiosim.simulator.migration.DeviceRunControl;
import dev.vfiosim.simulator.migration.MigrationArcs;
import dev.vfiosim.simulator.migration.MigrationData;
import java.nio.ByteBuffer;

/**
 * The arcs and the data side of a device that migrates opaque bytes: the host only keeps track of
 * whether a save or a resume is open, so that MIG_DATA_READ and MIG_DATA_WRITE reach the device in
 * the states that allow them (EINVAL otherwise, as the kernel answers); the bytes are the device's.
 */
final class OpaqueMigrationData implements MigrationArcs, MigrationData {
    private final OpaqueMigration device;
    private final DeviceRunControl run;
    private boolean saving;
    /** The save session is in STOP_COPY: the device is stopped, its memory may be lent to a chunk. */
    private boolean stopped;
    private boolean resuming;

    OpaqueMigrationData(OpaqueMigration device, DeviceRunControl run) {
        this.device = device;
        this.run = run;
    }

    @Override
    public synchronized void quiesceP2P() {
        run.quiesceP2P();
    }

    @Override
    public synchronized void unquiesceP2P() {
        run.unquiesceP2P();
    }

    @Override
    public synchronized void stopDevice() {
        run.stop();
    }

    @Override
    public synchronized void startDevice() {
        run.start();
    }

    @Override
    public synchronized void startDeviceP2P() {
        run.startQuiesced();
    }

    @Override
    public synchronized void startPreCopy() {
        saving = true;
        stopped = false;
    }

    @Override
    public synchronized void startStopCopy() {
        saving = true;
        stopped = true;
    }

    @Override
    public synchronized void enterStopCopy() {
        run.stop();
        stopped = true;
    }

    @Override
    public synchronized void endSaving() {
        saving = false;
    }

    @Override
    public synchronized void startResuming() {
        resuming = true;
    }

    @Override
    public synchronized void commitResume() {
        resuming = false;
    }

    @Override
    public synchronized void dropSessions() {
        saving = false;
        resuming = false;
    }

    @Override
    public synchronized int read(ByteBuffer dst) {
        requireSavingForRead();
        int before = dst.position();
        int n = checkedCount(device.readData(dst), dst.limit() - before);
        dst.position(before + n);
        return n;
    }

    /** Into a chunk: the device may lend memory only in STOP_COPY; while it runs the chunk copies. */
    @Override
    public synchronized int read(DataChunk chunk) {
        requireSavingForRead();
        if (!stopped) {
            chunk.stopLending();
        }
        int room = chunk.remaining();
        int before = chunk.length();
        int n = checkedCount(device.readData(chunk), room);
        if (chunk.length() - before != n) {
            throw new DeviceException(Errno.EIO, "the device's readData returned " + n + " but put "
                    + (chunk.length() - before) + " bytes in the chunk");
        }
        return n;
    }

    private void requireSavingForRead() {
        if (!saving) {
            throw new DeviceException(Errno.EINVAL, "MIG_DATA_READ is valid only in PRE_COPY, PRE_COPY_P2P and STOP_COPY");
        }
    }

    private static int checkedCount(int n, int room) {
        if (n < 0 || n > room) {
            throw new DeviceException(Errno.EIO, "the device's readData returned " + n + " for " + room + " bytes of room");
        }
        return n;
    }

    @Override
    public synchronized void write(ByteBuffer src) {
        if (!resuming) {
            throw new DeviceException(Errno.EINVAL, "MIG_DATA_WRITE is valid only in RESUMING");
        }
        int length = src.remaining();
        device.writeData(src);
        if (src.hasRemaining()) {
            throw new DeviceException(Errno.EINVAL, "the device consumed " + (length - src.remaining()) + " of "
                    + length + " migration bytes");
        }
    }

    @Override
    public synchronized long stopCopySize() {
        return device.stopCopySize();
    }

    @Override
    public synchronized long initialBytes() {
        requireSaving();
        return device.precopyInfo().initialBytes();
    }

    @Override
    public synchronized long dirtyBytes() {
        requireSaving();
        return device.precopyInfo().dirtyBytes();
    }

    private void requireSaving() {
        if (!saving) {
            throw new DeviceException(Errno.EINVAL, "no save session: valid only in PRE_COPY and PRE_COPY_P2P");
        }
    }
}
