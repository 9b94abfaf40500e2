package dev.vfiosim.simulator.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SaveSessionTest {
    private static final MigrationFeatures FEATURES = MigrationFeatures.ALL;

    private final TestDevice source = new TestDevice(FEATURES, 7);
    private final ByteArrayOutputStream wire = new ByteArrayOutputStream();

    private int read(SaveSession session, int size) {
        ByteBuffer chunk = ByteBuffer.allocate(size);
        int n = session.read(chunk);
        wire.write(chunk.array(), 0, n);
        return n;
    }

    private TestDevice resumeFromWire() {
        TestDevice destination = new TestDevice(FEATURES, 0);
        ResumeSession resume = new ResumeSession(destination.image);
        TestDevice.feed(resume, wire.toByteArray(), new Random(3), 333);
        resume.finish();
        return destination;
    }

    @Test
    void initialBytesShrinkAsReadAndDirtyBytesGrowWithActivity() {
        SaveSession session = SaveSession.preCopy(source.image);
        long initial = session.initialBytes();
        assertTrue(initial > TestDevice.PAGES * TestDevice.PAGE_SIZE, "initial " + initial);
        assertEquals(0, session.dirtyBytes());
        long before = initial;
        while (session.initialBytes() > 0) {
            assertEquals(Math.min(100, before), read(session, 100));
            assertEquals(before - Math.min(100, before), session.initialBytes());
            before = session.initialBytes();
        }
        assertEquals(initial, wire.size());
        assertEquals(0, session.dirtyBytes());
        assertEquals(0, read(session, 4096), "nothing more right now");

        source.pages.write(3, 0, (byte) 1);
        long oneDirty = session.dirtyBytes();
        assertTrue(oneDirty > 0);
        source.pages.write(9, 5, (byte) 2);
        assertTrue(session.dirtyBytes() > oneDirty, "dirty bytes grow");
        assertEquals(0, session.initialBytes());
    }

    @Test
    void preCopyThenStopCopyReconstructsTheStateAfterDirtying() {
        SaveSession session = SaveSession.preCopy(source.image);
        read(session, 1000);
        source.pages.write(0, 0, (byte) 0x55);
        source.pages.write(15, 255, (byte) 0x66);
        while (read(session, 777) > 0) {
            continue;
        }
        source.pages.write(4, 4, (byte) 0x44);
        assertTrue(session.dirtyBytes() > 0);
        read(session, 50);
        source.commands.live[0] = 1234;
        source.commands.generation = 9;

        session.enterStopCopy();
        assertThrows(DeviceException.class, session::initialBytes);
        long predicted = session.stopCopySize();
        long before = wire.size();
        while (read(session, 1 << 20) > 0) {
            continue;
        }
        assertTrue(session.ended());
        assertEquals(predicted, wire.size() - before, "no dirtying after stop: the estimate is exact");
        TestDevice destination = resumeFromWire();
        assertTrue(destination.sameStateAs(source));
        assertEquals(9, destination.commands.generation);
    }

    @Test
    void stopCopyOfASessionWithNoPreCopyReadsIsSelfSufficient() {
        SaveSession session = SaveSession.preCopy(source.image);
        source.pages.write(2, 2, (byte) 2);
        session.enterStopCopy();
        while (read(session, 4096) > 0) {
            continue;
        }
        assertTrue(resumeFromWire().sameStateAs(source));
    }

    @Test
    void stopCopyReadsAreFullUntilTheLastChunkThenZero() {
        for (int size : new int[] {1, 7, 64, 1 << 20, 3 << 20}) {
            SaveSession session = SaveSession.stopCopy(source.image);
            long total = session.stopCopySize();
            assertEquals(source.image.fullImageSize(), total);
            long got = 0;
            while (true) {
                int n = session.read(ByteBuffer.allocate(size));
                if (n == 0) {
                    break;
                }
                got += n;
                assertTrue(n == size || got == total, "short chunk only at the end (size " + size + ")");
            }
            assertEquals(total, got);
            assertEquals(0, session.read(ByteBuffer.allocate(size)));
        }
    }

    @Test
    void preCopyInfoIsRefusedOutsidePreCopyAndReadsFailAfterClose() {
        SaveSession session = SaveSession.stopCopy(source.image);
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, session::initialBytes).errno());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, session::dirtyBytes).errno());
        session.close();
        assertEquals(Errno.ENODEV,
                assertThrows(DeviceException.class, () -> session.read(ByteBuffer.allocate(8))).errno());
    }

    @Test
    void closingAPreCopySessionStopsTracking() {
        SaveSession session = SaveSession.preCopy(source.image);
        session.close();
        source.pages.write(1, 1, (byte) 1);
        assertEquals(0, source.pages.dirtyPageCount());
        assertFalse(session.inPreCopy());
    }
}
