package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.fault.FaultPlan;

/**
 * Whether a MIG_DATA_READ or MIG_DATA_WRITE may be handled by the session's reader instead of its
 * command worker (docs/connection.md). Migration data goes to the worker because in PRE_COPY the
 * stream is built from a running engine: the read holds the engine between two units of work, and a
 * unit may be waiting for a message-DMA reply that only the reader can receive. A stopped device has
 * no unit in progress and does no DMA, so its data waits for nothing:
 *
 * <ul>
 *   <li>MIG_DATA_READ in STOP_COPY (entered only by an arc that stops the device, from STOP or
 *       PRE_COPY(_P2P));
 *   <li>MIG_DATA_WRITE in RESUMING (entered only from STOP).
 * </ul>
 *
 * Every other state stays on the worker: PRE_COPY reads from a running device; PRE_COPY_P2P from one
 * only quiesced (the device API lets it finish in-flight DMA and go on with internal activity); in
 * any other state the command is refused anyway, so there is nothing to gain.
 *
 * <p>The state is a fact the reader owns: it is asked only while the worker is idle, and it changes only
 * through this session's own commands (MIG_DEVICE_STATE SET, DEVICE_RESET, an FLR), which all run on
 * the worker; a device enters ERROR only by failing such an arc. A fault plan that can hold a thread
 * back ({@link FaultPlan#holdsBack}: the session's, for command and connection delays, or the
 * device's, for stream delays) keeps migration data on the worker, so that a delayed chunk never stops
 * the reader from answering DMA, queueing commands or seeing the client hang up.
 */
final class MigrationDataRoute {
    private final VfioMigration migration;
    private final boolean sessionPlanHoldsBack;

    MigrationDataRoute(VfioMigration migration, FaultPlan sessionPlan) {
        this.migration = migration;
        this.sessionPlanHoldsBack = sessionPlan.holdsBack();
    }

    /**
     * Whether {@code command} (a MIG_DATA_READ or MIG_DATA_WRITE) waits for nothing and may run on the
     * reader. Only while the worker is idle: then no state change is in progress.
     */
    boolean onReader(int command) {
        if (sessionPlanHoldsBack || migration.dataMayBeHeld()) {
            return false;
        }
        int state = migration.state();
        return command == Command.MIG_DATA_READ.code() ? state == VfioMigration.STOP_COPY
                : command == Command.MIG_DATA_WRITE.code() && state == VfioMigration.RESUMING;
    }
}
