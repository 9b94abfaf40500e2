package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Optional;

/**
 * The device's migration state and the composition loop: a SET walks the {@link NextStateTable}
 * one arc at a time, the way mlx5 and the kernel core do. Failure rules (uAPI §2.6, mlx5 §4.9):
 *
 * <ul>
 *   <li>an arc that throws {@link DeviceException} stops the walk; the state is the last one
 *       reached (possibly an intermediate state);
 *   <li>an arc that throws {@link DeviceBrokenException}, or fails with anything that is not a
 *       {@code DeviceException} (the device cannot say where it is), puts the machine in ERROR;
 *   <li>ERROR is left only by {@link #reset()}, which returns to RUNNING and drops sessions.
 * </ul>
 *
 * SET is synchronous: when {@link #set} returns, {@link #get()} is the requested state.
 */
public final class MigrationStateMachine {
    private Consumer<Arc> beforeArc = arc -> { };
    private final MigrationFeatures features;
    private final MigrationArcs arcs;
    private MigrationState current = MigrationState.RUNNING;
    private List<Arc> lastPath = List.of();
    private Arc lastFailedArc;

    /**
     * Runs before every arc, inside its failure handling: what it throws fails that arc exactly as
     * the device refusing it would (fault injection uses this).
     */
    public synchronized void beforeEachArc(Consumer<Arc> hook) {
        this.beforeArc = hook;
    }

    public MigrationStateMachine(MigrationFeatures features, MigrationArcs arcs) {
        this.features = features;
        this.arcs = arcs;
    }

    public MigrationFeatures features() {
        return features;
    }

    public synchronized MigrationState get() {
        return current;
    }

    /**
     * Moves to {@code target}, running each arc of the composed path. The same state succeeds and
     * runs nothing (ERROR → ERROR included). Refusals carry the kernel's errno.
     */
    public synchronized void set(MigrationState target) {
        List<Arc> executed = new ArrayList<>();
        lastPath = executed;
        lastFailedArc = null;
        while (current != target) {
            Arc arc = Arc.between(current, NextStateTable.nextStep(current, target, features));
            try {
                beforeArc.accept(arc);
                arc.perform(arcs);
            } catch (DeviceBrokenException e) {
                fail(arc, MigrationState.ERROR);
                throw e;
            } catch (DeviceException e) {
                fail(arc, current);
                throw e;
            } catch (RuntimeException e) {
                fail(arc, MigrationState.ERROR);
                DeviceException refusal = new DeviceException(Errno.EIO, "arc " + arc + " failed: " + e);
                refusal.initCause(e);
                throw refusal;
            }
            executed.add(arc);
            current = arc.to();
        }
    }

    private void fail(Arc arc, MigrationState stateAfter) {
        lastFailedArc = arc;
        current = stateAfter;
    }

    /** Device reset: RUNNING, with any save or resume session dropped. The only way out of ERROR. */
    public synchronized void reset() {
        lastPath = List.of();
        lastFailedArc = null;
        try {
            arcs.dropSessions();
        } finally {
            current = MigrationState.RUNNING;
        }
    }

    /** The arcs the last SET completed, in order (empty for a same-state SET). */
    public synchronized List<Arc> lastPath() {
        return List.copyOf(lastPath);
    }

    /** The arc that failed during the last SET, if one did. */
    public synchronized Optional<Arc> lastFailedArc() {
        return Optional.ofNullable(lastFailedArc);
    }
}
