package dev.vfiosim.simulator.migration;

import static dev.vfiosim.simulator.migration.MigrationState.PRE_COPY;
import static dev.vfiosim.simulator.migration.MigrationState.PRE_COPY_P2P;
import static dev.vfiosim.simulator.migration.MigrationState.RESUMING;
import static dev.vfiosim.simulator.migration.MigrationState.RUNNING;
import static dev.vfiosim.simulator.migration.MigrationState.RUNNING_P2P;
import static dev.vfiosim.simulator.migration.MigrationState.STOP;
import static dev.vfiosim.simulator.migration.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.migration.StreamException.Fault;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A QEMU-like migration through the state machine and the data calls the server makes. */
class MigrationSessionsTest {
    private static final int CHUNK = 1 << 20;

    private static final class Engine implements DeviceRunControl {
        final List<String> calls = new ArrayList<>();
        @Override public void quiesceP2P() { calls.add("quiesceP2P"); }
        @Override public void unquiesceP2P() { calls.add("unquiesceP2P"); }
        @Override public void stop() { calls.add("stop"); }
        @Override public void start() { calls.add("start"); }
    }

    private final TestDevice source = new TestDevice(MigrationFeatures.ALL, 11);
    private final Engine sourceEngine = new Engine();
    private final MigrationSessions sourceData = new MigrationSessions(source.image, sourceEngine);
    private final MigrationStateMachine sourceState = new MigrationStateMachine(MigrationFeatures.ALL, sourceData);
    private final TestDevice target = new TestDevice(MigrationFeatures.ALL, 0);
    private final MigrationSessions targetData = new MigrationSessions(target.image, new Engine());
    private final MigrationStateMachine targetState = new MigrationStateMachine(MigrationFeatures.ALL, targetData);

    /** Reads once or until 0 and writes what came to the destination (the VMM's job). */
    private long forward(boolean untilEnd) {
        long moved = 0;
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        do {
            chunk.clear();
            int n = sourceData.read(chunk);
            if (n == 0) {
                break;
            }
            moved += n;
            targetData.write(chunk.flip());
        } while (untilEnd);
        return moved;
    }

    @Test
    void liveMigrationWithPreCopyMovesTheState() {
        long sizeBefore = sourceData.stopCopySize();
        assertEquals(source.image.fullImageSize(), sizeBefore);
        targetState.set(RESUMING);
        sourceState.set(PRE_COPY);
        forward(false);
        source.pages.write(7, 1, (byte) 9);
        assertTrue(sourceData.dirtyBytes() > 0);
        forward(true);
        assertEquals(0, sourceData.initialBytes());
        sourceState.set(PRE_COPY_P2P);
        source.queues.live[0] = -5;
        sourceState.set(STOP_COPY);
        assertEquals(List.of(Arc.PRE_COPY_P2P_TO_STOP_COPY), sourceState.lastPath());
        assertEquals(List.of("quiesceP2P", "stop"), sourceEngine.calls);
        forward(true);
        sourceState.set(STOP);
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class,
                () -> sourceData.read(ByteBuffer.allocate(8))).errno());

        targetState.set(RUNNING_P2P);
        assertEquals(List.of(Arc.RESUMING_TO_STOP, Arc.STOP_TO_RUNNING_P2P), targetState.lastPath());
        targetState.set(RUNNING);
        assertTrue(target.sameStateAs(source));
    }

    @Test
    void failedCommitGoesToErrorAppliesNothingAndResetLeaves() {
        sourceState.set(STOP_COPY);
        targetState.set(RESUMING);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        for (int n; (n = sourceData.read(chunk.clear())) > 0; ) {
            stream.write(chunk.array(), 0, n);
        }
        byte[] truncated = Arrays.copyOf(stream.toByteArray(), stream.size() - 3);
        targetData.write(ByteBuffer.wrap(truncated));
        DeviceBrokenException e = assertThrows(DeviceBrokenException.class, () -> targetState.set(RUNNING));
        assertEquals(Fault.TRUNCATED, ((StreamException) e.getCause()).fault());
        assertEquals(MigrationState.ERROR, targetState.get());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> targetState.set(RUNNING)).errno(),
                "ERROR is left only by reset");
        assertEquals(0, target.commands.commits);
        assertFalse(target.sameStateAs(source));
        targetState.reset();
        assertEquals(RUNNING, targetState.get());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class,
                () -> targetData.write(ByteBuffer.allocate(1))).errno());
    }

    @Test
    void resetDuringPreCopyEndsTheSession() {
        sourceState.set(PRE_COPY);
        sourceState.reset();
        assertEquals(RUNNING, sourceState.get());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, sourceData::initialBytes).errno());
        assertEquals(source.image.fullImageSize(), sourceData.stopCopySize());
    }
}
