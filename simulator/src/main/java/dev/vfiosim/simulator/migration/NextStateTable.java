package dev.vfiosim.simulator.migration;

import static dev.vfiosim.simulator.migration.MigrationState.ERROR;
import static dev.vfiosim.simulator.migration.MigrationState.PRE_COPY;
import static dev.vfiosim.simulator.migration.MigrationState.PRE_COPY_P2P;
import static dev.vfiosim.simulator.migration.MigrationState.RESUMING;
import static dev.vfiosim.simulator.migration.MigrationState.RUNNING;
import static dev.vfiosim.simulator.migration.MigrationState.RUNNING_P2P;
import static dev.vfiosim.simulator.migration.MigrationState.STOP;
import static dev.vfiosim.simulator.migration.MigrationState.STOP_COPY;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's {@code vfio_mig_get_next_state}: the next-step table as data, plus the rule that
 * skips states the device does not advertise. Nothing here runs an arc; the state machine asks for
 * one step at a time.
 */
public final class NextStateTable {
    /**
     * {@code vfio_from_fsm_table}: row = current state, column = requested state (both in uAPI value
     * order ERROR, STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P), cell =
     * the next state to step to. ERROR in a cell means the request is blocked.
     */
    private static final MigrationState[][] NEXT = {
        /* ERROR        */ {ERROR, ERROR, ERROR, ERROR, ERROR, ERROR, ERROR, ERROR},
        /* STOP         */ {ERROR, STOP, RUNNING_P2P, STOP_COPY, RESUMING, RUNNING_P2P, RUNNING_P2P, RUNNING_P2P},
        /* RUNNING      */ {ERROR, RUNNING_P2P, RUNNING, RUNNING_P2P, RUNNING_P2P, RUNNING_P2P, PRE_COPY, RUNNING_P2P},
        /* STOP_COPY    */ {ERROR, STOP, STOP, STOP_COPY, STOP, STOP, ERROR, ERROR},
        /* RESUMING     */ {ERROR, STOP, STOP, STOP, RESUMING, STOP, STOP, STOP},
        /* RUNNING_P2P  */ {ERROR, STOP, RUNNING, STOP, STOP, RUNNING_P2P, RUNNING, PRE_COPY_P2P},
        /* PRE_COPY     */ {ERROR, RUNNING, RUNNING, PRE_COPY_P2P, RUNNING, RUNNING, PRE_COPY, PRE_COPY_P2P},
        /* PRE_COPY_P2P */ {ERROR, RUNNING_P2P, RUNNING_P2P, STOP_COPY, RUNNING_P2P, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P},
    };

    private NextStateTable() {}

    /** The raw table cell, before unsupported states are skipped. */
    static MigrationState cell(MigrationState current, MigrationState target) {
        return NEXT[current.value()][target.value()];
    }

    /**
     * The one state to step to from {@code current} on the way to {@code target}. Refuses with
     * -EINVAL when the current or requested state is not advertised (this covers ERROR on either
     * side) and when the table blocks the request (STOP_COPY to a pre-copy state). The skip loop stops
     * at a blocked cell instead of looking it up again: the kernel looped forever there before the
     * 2026 fix.
     */
    public static MigrationState nextStep(MigrationState current, MigrationState target, MigrationFeatures features) {
        if (!features.supports(current)) {
            throw new DeviceException(Errno.EINVAL, "no transition leaves " + current + " (only a reset does)");
        }
        if (!features.supports(target)) {
            throw new DeviceException(Errno.EINVAL, target + " cannot be requested on a device with " + features);
        }
        MigrationState next = cell(current, target);
        while (next != ERROR && !features.supports(next)) {
            next = cell(next, target);
        }
        if (next == ERROR) {
            throw new DeviceException(Errno.EINVAL, "the uAPI forbids " + current + " -> " + target);
        }
        return next;
    }

    /**
     * Every state the composition passes through after {@code current}, ending with {@code target};
     * empty when they are equal. The whole path is refused up front if any step would be.
     */
    public static List<MigrationState> path(MigrationState current, MigrationState target, MigrationFeatures features) {
        List<MigrationState> steps = new ArrayList<>();
        MigrationState at = current;
        while (at != target) {
            at = nextStep(at, target, features);
            steps.add(at);
        }
        return steps;
    }
}
