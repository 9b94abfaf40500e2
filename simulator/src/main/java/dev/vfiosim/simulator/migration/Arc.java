package dev.vfiosim.simulator.migration;

import static dev.vfiosim.simulator.migration.MigrationState.PRE_COPY;
import static dev.vfiosim.simulator.migration.MigrationState.PRE_COPY_P2P;
import static dev.vfiosim.simulator.migration.MigrationState.RESUMING;
import static dev.vfiosim.simulator.migration.MigrationState.RUNNING;
import static dev.vfiosim.simulator.migration.MigrationState.RUNNING_P2P;
import static dev.vfiosim.simulator.migration.MigrationState.STOP;
import static dev.vfiosim.simulator.migration.MigrationState.STOP_COPY;

import java.util.function.Consumer;

/**
 * The single-step arcs the kernel defines (the list above {@code vfio_from_fsm_table}), each bound
 * to the {@link MigrationArcs} method that performs it. Composed requests are sequences of these.
 */
public enum Arc {
    RUNNING_TO_RUNNING_P2P(RUNNING, RUNNING_P2P, MigrationArcs::quiesceP2P),
    PRE_COPY_TO_PRE_COPY_P2P(PRE_COPY, PRE_COPY_P2P, MigrationArcs::quiesceP2P),
    RUNNING_P2P_TO_RUNNING(RUNNING_P2P, RUNNING, MigrationArcs::unquiesceP2P),
    PRE_COPY_P2P_TO_PRE_COPY(PRE_COPY_P2P, PRE_COPY, MigrationArcs::unquiesceP2P),
    RUNNING_TO_STOP(RUNNING, STOP, MigrationArcs::stopDevice),
    RUNNING_P2P_TO_STOP(RUNNING_P2P, STOP, MigrationArcs::stopDevice),
    STOP_TO_RUNNING(STOP, RUNNING, MigrationArcs::startDevice),
    STOP_TO_RUNNING_P2P(STOP, RUNNING_P2P, MigrationArcs::startDeviceP2P),
    RUNNING_TO_PRE_COPY(RUNNING, PRE_COPY, MigrationArcs::startPreCopy),
    RUNNING_P2P_TO_PRE_COPY_P2P(RUNNING_P2P, PRE_COPY_P2P, MigrationArcs::startPreCopy),
    STOP_TO_STOP_COPY(STOP, STOP_COPY, MigrationArcs::startStopCopy),
    PRE_COPY_TO_STOP_COPY(PRE_COPY, STOP_COPY, MigrationArcs::enterStopCopy),
    PRE_COPY_P2P_TO_STOP_COPY(PRE_COPY_P2P, STOP_COPY, MigrationArcs::enterStopCopy),
    STOP_COPY_TO_STOP(STOP_COPY, STOP, MigrationArcs::endSaving),
    PRE_COPY_TO_RUNNING(PRE_COPY, RUNNING, MigrationArcs::endSaving),
    PRE_COPY_P2P_TO_RUNNING_P2P(PRE_COPY_P2P, RUNNING_P2P, MigrationArcs::endSaving),
    STOP_TO_RESUMING(STOP, RESUMING, MigrationArcs::startResuming),
    RESUMING_TO_STOP(RESUMING, STOP, MigrationArcs::commitResume);

    private final MigrationState from;
    private final MigrationState to;
    private final Consumer<MigrationArcs> action;

    Arc(MigrationState from, MigrationState to, Consumer<MigrationArcs> action) {
        this.from = from;
        this.to = to;
        this.action = action;
    }

    public MigrationState from() {
        return from;
    }

    public MigrationState to() {
        return to;
    }

    /** Runs this arc on the device. */
    public void perform(MigrationArcs arcs) {
        action.accept(arcs);
    }

    /** The arc from one state to the next; the table only ever yields pairs listed here. */
    public static Arc between(MigrationState from, MigrationState to) {
        for (Arc arc : values()) {
            if (arc.from == from && arc.to == to) {
                return arc;
            }
        }
        throw new IllegalArgumentException("the uAPI defines no single arc " + from + " -> " + to);
    }
}
