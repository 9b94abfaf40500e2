package dev.vfiosim.simulator.host;

import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.RunState;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.migration.DeviceRunControl;
import dev.vfiosim.simulator.migration.MigrationState;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The arcs' run control for a hosted model: tells the model its {@link RunState} and holds its
 * interrupts while it is stopped. The P2P quiesce goes through the migration's fault decorator,
 * which may break it on purpose (the device then reports the P2P state but keeps running for a while).
 */
final class RunControl implements DeviceRunControl {
    private static final Logger LOG = LoggerFactory.getLogger(RunControl.class);

    private final DeviceModel model;
    private final InterruptController interrupts;
    private final Supplier<HostedMigration> migration;

    RunControl(DeviceModel model, InterruptController interrupts, Supplier<HostedMigration> migration) {
        this.model = model;
        this.interrupts = interrupts;
        this.migration = migration;
    }

    @Override
    public void quiesceP2P() {
        HostedMigration m = migration.get();
        Duration broken = m == null ? null : m.faults().takeP2pBreak();
        if (broken == null) {
            model.runState(RunState.QUIESCED);
            return;
        }
        LOG.warn("P2P quiesce broken on purpose: the device keeps running for {}", broken);
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(broken.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            MigrationState now = m.current();
            if (now == MigrationState.RUNNING_P2P || now == MigrationState.PRE_COPY_P2P) {
                model.runState(RunState.QUIESCED);
            }
        }, "p2p-quiesce-late");
        late.setDaemon(true);
        late.start();
    }

    @Override
    public void unquiesceP2P() {
        model.runState(RunState.RUNNING);
    }

    @Override
    public void stop() {
        model.runState(RunState.STOPPED);
        interrupts.quiesce(true);
    }

    @Override
    public void start() {
        interrupts.quiesce(false);
        model.runState(RunState.RUNNING);
    }

    @Override
    public void startQuiesced() {
        interrupts.quiesce(false);
        model.runState(RunState.QUIESCED);
    }
}
