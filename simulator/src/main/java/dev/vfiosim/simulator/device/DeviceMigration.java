package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.host.HostedMigration;
import dev.vfiosim.simulator.migration.DataChunk;
import dev.vfiosim.simulator.migration.MigrationStateMachine;
import dev.vfiosim.simulator.migration.StreamInspector;
import java.nio.ByteBuffer;

/**
 * The mlx5 VF's migration as it is served: the host's state machine and sessions
 * ({@link HostedMigration}) over the function's records ({@link Mlx5StateRecords}), with what a
 * test wants to know of the records (digest, the resumed source's revision). Neither part refers
 * to this view or to the function.
 */
public final class DeviceMigration implements VfioMigration {
    private final HostedMigration hosted;
    private final Mlx5StateRecords records;

    DeviceMigration(HostedMigration hosted, Mlx5StateRecords records) {
        this.hosted = hosted;
        this.records = records;
    }

    /** The names of this device's records, for {@code vfio-sim inspect}: read from their declarations. */
    public static StreamInspector.Vocabulary streamVocabulary() {
        return Mlx5StateRecords.streamVocabulary();
    }

    /** Misbehave as {@code injector}'s plan says (arcs, stream data, sizes); {@link FaultInjector#NONE} to behave. */
    public void useFaults(FaultInjector injector) {
        hosted.useFaults(injector);
    }

    /** The device revision this function plays. */
    public int deviceRevision() {
        return records.deviceRevision();
    }

    /**
     * The revision of the source whose stream this device last resumed, as its optional source
     * record said; 0 when it sent none (revision 1) or nothing was resumed.
     */
    public int resumedFromRevision() {
        return records.resumedFromRevision();
    }

    /**
     * SHA-256 of everything the stream carries except the clock and the source record: two devices
     * with the same digest continue identically. Take it while the device is stopped.
     */
    public byte[] stateDigest() {
        return records.stateDigest();
    }

    /** The state machine, for observability (last path, last failed arc). */
    public MigrationStateMachine stateMachine() {
        return hosted.stateMachine();
    }

    @Override
    public long flags() {
        return hosted.flags();
    }

    @Override
    public int state() {
        return hosted.state();
    }

    @Override
    public void setState(int target) {
        hosted.setState(target);
    }

    @Override
    public long stopCopySize() {
        return hosted.stopCopySize();
    }

    @Override
    public PrecopyInfo precopyInfo() {
        return hosted.precopyInfo();
    }

    @Override
    public int read(ByteBuffer dst) {
        return hosted.read(dst);
    }

    @Override
    public int read(DataChunk chunk) {
        return hosted.read(chunk);
    }

    @Override
    public void write(ByteBuffer src) {
        hosted.write(src);
    }
}
