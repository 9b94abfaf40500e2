package dev.vfiosim.simulator.migration;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** A small migratable device for stream tests: two counter components and 16 pages of 256 bytes. */
final class TestDevice {
    static final DeviceIdentity IDENTITY = new DeviceIdentity(0x15b3, 0x101e, 3);
    static final int BULK_TAG = 0x100;
    static final int PAGE_SIZE = 256;
    static final int PAGES = 16;

    final CounterRecord commands;
    final CounterRecord queues;
    final MemoryPages pages = new MemoryPages(PAGE_SIZE, PAGES);
    final MigrationImage image;

    TestDevice(MigrationFeatures features, long seed) {
        commands = new CounterRecord(1, false, seed, seed + 1, seed + 2);
        queues = new CounterRecord(2, false, seed * 7);
        if (seed != 0) {
            pages.fill(seed);
        }
        image = new MigrationImage(IDENTITY, features, List.of(commands, queues),
                Optional.of(new BulkState(BULK_TAG, pages, pages, pages)));
    }

    boolean sameStateAs(TestDevice other) {
        return java.util.Arrays.equals(commands.live, other.commands.live)
                && java.util.Arrays.equals(queues.live, other.queues.live)
                && pages.sameContent(other.pages);
    }

    /** Reads a session until it yields nothing, in chunks of random size (1 .. maxChunk). */
    static byte[] drain(SaveSession session, Random random, int maxChunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            ByteBuffer chunk = ByteBuffer.allocate(1 + random.nextInt(maxChunk));
            int n = session.read(chunk);
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(chunk.array(), 0, n);
        }
    }

    /** A complete stop-copy-only stream of this device. */
    byte[] stopCopyStream() {
        SaveSession session = SaveSession.stopCopy(image);
        byte[] stream = drain(session, new Random(1), 4096);
        session.close();
        return stream;
    }

    /** Writes the stream in pieces of random size (1 .. maxPiece). */
    static void feed(ResumeSession session, byte[] stream, Random random, int maxPiece) {
        int at = 0;
        while (at < stream.length) {
            int n = Math.min(stream.length - at, 1 + random.nextInt(maxPiece));
            session.write(ByteBuffer.wrap(stream, at, n));
            at += n;
        }
    }
}
