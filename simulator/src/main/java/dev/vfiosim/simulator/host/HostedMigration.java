package dev.vfiosim.simulator.host;

import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.api.MigrationTransitions;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FaultingMigration;
import dev.vfiosim.simulator.migration.DataChunk;
import dev.vfiosim.simulator.migration.MigrationArcs;
import dev.vfiosim.simulator.migration.MigrationData;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.migration.MigrationState;
import dev.vfiosim.simulator.migration.MigrationStateMachine;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hosted device's migration as the server sees it: the v2 state machine over the device's arcs,
 * the data side behind a {@link FaultingMigration} decorator, the device's per-arc callback after
 * the faults' own. The same for both migration styles.
 */
public final class HostedMigration implements VfioMigration {
    private static final Logger LOG = LoggerFactory.getLogger(HostedMigration.class);

    private final MigrationFeatures features;
    private final MigrationStateMachine machine;
    private final FaultingMigration data;

    HostedMigration(MigrationFeatures features, MigrationArcs arcs, MigrationData data, MigrationTransitions device) {
        this.features = features;
        this.machine = new MigrationStateMachine(features, arcs);
        this.data = new FaultingMigration(data, machine::get);
        machine.beforeEachArc(arc -> {
            this.data.beforeArc(arc);
            device.transition(arc.from(), arc.to());
        });
    }

    /** Misbehave as {@code injector}'s plan says (arcs, stream data, sizes); {@link FaultInjector#NONE} to behave. */
    public void useFaults(FaultInjector injector) {
        data.use(injector);
    }

    /** The decorator in front of the device's data, also consulted by the P2P quiesce. */
    FaultingMigration faults() {
        return data;
    }

    @Override
    public long flags() {
        return features.flags();
    }

    @Override
    public int state() {
        return machine.get().value();
    }

    /** The current state as the enum. */
    public MigrationState current() {
        return machine.get();
    }

    @Override
    public void setState(int target) {
        MigrationState to = MigrationState.ofValue(target);
        MigrationState from = machine.get();
        try {
            machine.set(to);
            LOG.info("migration {} -> {}: arcs {}", from, to, machine.lastPath());
        } catch (RuntimeException e) {
            LOG.warn("migration {} -> {} failed at {} (now {}): {}", from, to, machine.lastFailedArc().orElse(null),
                    machine.get(), e.getMessage());
            throw e;
        }
    }

    @Override
    public long stopCopySize() {
        return data.stopCopySize();
    }

    @Override
    public PrecopyInfo precopyInfo() {
        return new PrecopyInfo(data.initialBytes(), data.dirtyBytes());
    }

    @Override
    public int read(ByteBuffer dst) {
        return data.read(dst);
    }

    @Override
    public int read(DataChunk chunk) {
        return data.read(chunk);
    }

    @Override
    public void write(ByteBuffer src) {
        data.write(src);
    }

    /** Device reset: back to RUNNING, sessions dropped. */
    void reset() {
        machine.reset();
    }

    /** The state machine, for observability (last path, last failed arc). */
    public MigrationStateMachine stateMachine() {
        return machine;
    }
}
