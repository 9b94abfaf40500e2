package dev.vfiosim.simulator.migration;

import static dev.vfiosim.simulator.migration.MigrationState.ERROR;
import static dev.vfiosim.simulator.migration.MigrationState.PRE_COPY;
import static dev.vfiosim.simulator.migration.MigrationState.PRE_COPY_P2P;
import static dev.vfiosim.simulator.migration.MigrationState.RESUMING;
import static dev.vfiosim.simulator.migration.MigrationState.RUNNING;
import static dev.vfiosim.simulator.migration.MigrationState.RUNNING_P2P;
import static dev.vfiosim.simulator.migration.MigrationState.STOP;
import static dev.vfiosim.simulator.migration.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MigrationStateMachineTest {
    private final RecordingArcs arcs = new RecordingArcs();

    private MigrationStateMachine machine(MigrationFeatures features) {
        return new MigrationStateMachine(features, arcs);
    }

    @Test
    void startsRunning() {
        assertEquals(RUNNING, machine(MigrationFeatures.ALL).get());
    }

    @Test
    void composedRequestRunsEachArcOnceInOrder() {
        MigrationStateMachine m = machine(MigrationFeatures.ALL);
        m.set(STOP_COPY);
        assertEquals(STOP_COPY, m.get());
        assertEquals(List.of(Arc.RUNNING_TO_RUNNING_P2P, Arc.RUNNING_P2P_TO_STOP, Arc.STOP_TO_STOP_COPY), m.lastPath());
        assertEquals(List.of("quiesceP2P", "stopDevice", "startStopCopy"), arcs.calls);
    }

    @Test
    void preCopyToStopCopyWithoutP2pIsOneArcThatKeepsTheSession() {
        MigrationStateMachine m = machine(MigrationFeatures.WITH_PRE_COPY);
        m.set(PRE_COPY);
        m.set(STOP_COPY);
        assertEquals(List.of(Arc.PRE_COPY_TO_STOP_COPY), m.lastPath());
        assertEquals(List.of("startPreCopy", "enterStopCopy"), arcs.calls);
    }

    @Test
    void qemuDestinationSequenceCommitsOnTheWayToRunningP2p() {
        MigrationStateMachine m = machine(MigrationFeatures.ALL);
        m.set(RESUMING);
        m.set(RUNNING_P2P);
        assertEquals(List.of(Arc.RESUMING_TO_STOP, Arc.STOP_TO_RUNNING_P2P), m.lastPath());
        m.set(RUNNING);
        assertEquals(List.of(Arc.RUNNING_P2P_TO_RUNNING), m.lastPath());
    }

    @Test
    void sameStateSucceedsAndRunsNothing() {
        MigrationStateMachine m = machine(MigrationFeatures.ALL);
        m.set(STOP);
        arcs.calls.clear();
        m.set(STOP);
        assertEquals(STOP, m.get());
        assertEquals(List.of(), m.lastPath());
        assertEquals(List.of(), arcs.calls);
    }

    @Test
    void failureMidPathLeavesTheLastReachedState() {
        arcs.failOn("stopDevice", new DeviceException(Errno.EIO, "firmware refused SUSPEND"));
        MigrationStateMachine m = machine(MigrationFeatures.ALL);
        DeviceException e = assertThrows(DeviceException.class, () -> m.set(STOP_COPY));
        assertEquals(Errno.EIO, e.errno());
        assertEquals(RUNNING_P2P, m.get());
        assertEquals(List.of(Arc.RUNNING_TO_RUNNING_P2P), m.lastPath());
        assertEquals(Optional.of(Arc.RUNNING_P2P_TO_STOP), m.lastFailedArc());
        assertEquals(List.of("quiesceP2P", "stopDevice"), arcs.calls);
    }

    @Test
    void failureOfTheFirstArcLeavesTheStartState() {
        arcs.failOn("startResuming", new DeviceException(Errno.ENOMEM, "no staging memory"));
        MigrationStateMachine m = machine(MigrationFeatures.STOP_COPY_ONLY);
        m.set(STOP);
        assertThrows(DeviceException.class, () -> m.set(RESUMING));
        assertEquals(STOP, m.get());
    }

    @Test
    void brokenDeviceGoesToErrorWhichOnlyResetLeaves() {
        arcs.failOn("stopDevice", new DeviceBrokenException(Errno.EIO, "engine wedged half stopped"));
        MigrationStateMachine m = machine(MigrationFeatures.ALL);
        assertThrows(DeviceBrokenException.class, () -> m.set(STOP));
        assertEquals(ERROR, m.get());
        for (MigrationState target : MigrationState.values()) {
            if (target == ERROR) {
                continue;
            }
            DeviceException e = assertThrows(DeviceException.class, () -> m.set(target), target.name());
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(ERROR, m.get());
        }
        m.set(ERROR);
        assertEquals(List.of(), m.lastPath());
        arcs.calls.clear();
        m.reset();
        assertEquals(RUNNING, m.get());
        assertEquals(List.of("dropSessions"), arcs.calls);
    }

    @Test
    void unexpectedArcFailureIsEioAndError() {
        arcs.failOn("startPreCopy", new IllegalStateException("bug"));
        MigrationStateMachine m = machine(MigrationFeatures.ALL);
        DeviceException e = assertThrows(DeviceException.class, () -> m.set(PRE_COPY));
        assertEquals(Errno.EIO, e.errno());
        assertEquals(ERROR, m.get());
    }

    @Test
    void resetFromAnySessionStateReturnsToRunning() {
        MigrationStateMachine m = machine(MigrationFeatures.ALL);
        m.set(PRE_COPY_P2P);
        m.reset();
        assertEquals(RUNNING, m.get());
        assertTrue(arcs.calls.contains("dropSessions"));
    }

    @Test
    void stopCopyToPreCopyIsEinvalAndChangesNothing() {
        MigrationStateMachine m = machine(MigrationFeatures.ALL);
        m.set(STOP_COPY);
        arcs.calls.clear();
        for (MigrationState target : List.of(PRE_COPY, PRE_COPY_P2P)) {
            assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> m.set(target)).errno());
            assertEquals(STOP_COPY, m.get());
        }
        assertEquals(List.of(), arcs.calls);
    }

    @Test
    void unadvertisedStatesAndErrorCannotBeRequested() {
        MigrationStateMachine m = machine(MigrationFeatures.STOP_COPY_ONLY);
        for (MigrationState target : List.of(ERROR, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P)) {
            assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> m.set(target)).errno());
            assertEquals(RUNNING, m.get());
        }
        assertEquals(List.of(), arcs.calls);
    }

    @Test
    void machinePathsAgreeWithTheTableFromEveryReachableState() {
        for (MigrationFeatures features : List.of(MigrationFeatures.ALL, MigrationFeatures.WITH_P2P,
                MigrationFeatures.WITH_PRE_COPY, MigrationFeatures.STOP_COPY_ONLY)) {
            for (MigrationState from : MigrationState.values()) {
                for (MigrationState to : MigrationState.values()) {
                    if (!features.supports(from) || !features.supports(to)) {
                        continue;
                    }
                    MigrationStateMachine m = new MigrationStateMachine(features, new RecordingArcs());
                    m.set(from);
                    List<MigrationState> expected;
                    try {
                        expected = NextStateTable.path(from, to, features);
                    } catch (DeviceException refused) {
                        assertThrows(DeviceException.class, () -> m.set(to));
                        assertEquals(from, m.get());
                        continue;
                    }
                    m.set(to);
                    assertEquals(to, m.get());
                    assertEquals(expected, m.lastPath().stream().map(Arc::to).toList(), from + " -> " + to);
                }
            }
        }
    }
}
