package dev.vfiosim.simulator.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.DeviceException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MIG_DATA_READ into chunks that may borrow the state's memory: the stream is byte for byte the
 * copying one, pages are lent only while the device is stopped, and every stream still resumes.
 */
class LentChunkStreamTest {
    private static final MigrationFeatures FEATURES = MigrationFeatures.ALL;
    /** One page entry is 8 + 256 bytes; the page record header 16 + 12: sizes that split both. */
    private static final int[] AWKWARD_SIZES = {1, 3, 8, 16, 17, 27, 28, 29, 255, 263, 264, 265, 1000, 4096, 5003};

    private final DataChunk chunk = new DataChunk();
    private int chunksThatLent;
    private int bytesLent;

    /** Reads the whole session with chunks that lend, flattening each as a socket would send it. */
    private byte[] drainLending(SaveSession session, IntUnaryOperator sizeOfChunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; ; i++) {
            int size = sizeOfChunk.applyAsInt(i);
            ByteBuffer inline = ByteBuffer.allocate(size);
            int n = session.read(chunk.begin(inline, size, true));
            assertEquals(n, chunk.length(), "the count is the chunk's length");
            if (n == 0) {
                return out.toByteArray();
            }
            if (chunk.inlineLength() < n) {
                chunksThatLent++;
                bytesLent += n - chunk.inlineLength();
            }
            out.writeBytes(flat(chunk));
        }
    }

    private static byte[] flat(DataChunk c) {
        ByteBuffer flat = ByteBuffer.allocate(c.length());
        c.copyTo(flat);
        return flat.array();
    }

    private static byte[] drainCopying(SaveSession session, IntUnaryOperator sizeOfChunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; ; i++) {
            ByteBuffer dst = ByteBuffer.allocate(sizeOfChunk.applyAsInt(i));
            int n = session.read(dst);
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(dst.array(), 0, n);
        }
    }

    private static TestDevice resume(byte[] stream) {
        TestDevice destination = new TestDevice(FEATURES, 0);
        ResumeSession resume = new ResumeSession(destination.image);
        TestDevice.feed(resume, stream, new Random(5), 700);
        resume.finish();
        return destination;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8, 16, 17, 27, 28, 29, 255, 263, 264, 265, 1000, 4096, 5003})
    void stopCopyStreamIsTheCopyingOneByteForByte(int size) {
        TestDevice device = new TestDevice(FEATURES, 11);
        byte[] copying = drainCopying(SaveSession.stopCopy(device.image), i -> size);
        byte[] lending = drainLending(SaveSession.stopCopy(device.image), i -> size);
        assertArrayEquals(copying, lending);
        if (size >= 2 * (8 + TestDevice.PAGE_SIZE)) {   // smaller chunks may always split an entry
            assertTrue(bytesLent >= TestDevice.PAGES * TestDevice.PAGE_SIZE / 2, "pages were lent: " + bytesLent);
        }
        assertTrue(device.sameStateAs(resume(lending)));
    }

    @Test
    void chunksOfChangingSizesGiveTheSameStream() {
        TestDevice device = new TestDevice(FEATURES, 12);
        Random sizes = new Random(9);
        int[] plan = new int[10_000];
        for (int i = 0; i < plan.length; i++) {
            plan[i] = AWKWARD_SIZES[sizes.nextInt(AWKWARD_SIZES.length)];
        }
        byte[] copying = drainCopying(SaveSession.stopCopy(device.image), i -> plan[i]);
        byte[] lending = drainLending(SaveSession.stopCopy(device.image), i -> plan[i]);
        assertArrayEquals(copying, lending);
        assertTrue(chunksThatLent > 0);
    }

    /**
     * Pre-copy with a device that keeps writing, also between a read and the moment its chunk is
     * "sent": nothing is lent while it runs, so no record is torn; the rest comes in STOP_COPY, lent.
     */
    @Test
    void preCopyOfARunningDeviceCopiesAndTheStreamStaysValid() {
        TestDevice device = new TestDevice(FEATURES, 13);
        SaveSession session = SaveSession.preCopy(device.image);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Random activity = new Random(4);
        for (int i = 0; i < 30; i++) {
            int n = session.read(chunk.begin(ByteBuffer.allocate(700), 700, true));
            assertEquals(n, chunk.inlineLength(), "a running device lends nothing");
            // the device dirties pages after the read, before the chunk leaves
            for (int w = 0; w < 3; w++) {
                device.pages.write(activity.nextInt(TestDevice.PAGES), activity.nextInt(TestDevice.PAGE_SIZE),
                        (byte) activity.nextInt());
            }
            wire.writeBytes(flat(chunk));
        }
        session.enterStopCopy();   // the record in flight completes, now lending
        wire.writeBytes(drainLending(session, i -> 1000));
        assertTrue(chunksThatLent > 0, "stop-copy lent the stopped device's pages");
        assertTrue(device.sameStateAs(resume(wire.toByteArray())));
    }

    @Test
    void aChunkThatCopiesRefusesLentMemory() {
        chunk.begin(ByteBuffer.allocate(64), 64, false);
        assertThrows(IllegalStateException.class, () -> chunk.lend(ByteBuffer.allocate(8), 0, 8));
        chunk.begin(ByteBuffer.allocate(64), 64, true);
        assertThrows(IllegalArgumentException.class, () -> chunk.lend(ByteBuffer.allocate(65), 0, 65));
        assertThrows(IllegalArgumentException.class, () -> chunk.lend(ByteBuffer.allocate(16), 8, 9));
    }

    @Test
    void aClosedSessionRefusesAChunkRead() {
        SaveSession session = SaveSession.stopCopy(new TestDevice(FEATURES, 1).image);
        session.close();
        assertThrows(DeviceException.class, () -> session.read(chunk.begin(ByteBuffer.allocate(8), 8, true)));
    }
}
