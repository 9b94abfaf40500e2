package dev.vfiosim.simulator.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * 256 MiB of bulk state streamed from a page source that makes pages on demand to a sink that
 * only checks and counts them: the image is never whole anywhere, so the test would need the heap
 * for it only if the stream layer copied it.
 */
class HugeBulkStreamTest {
    private static final int PAGE_SIZE = 4096;
    private static final int PAGES = 65536;
    private static final int CHUNK = 1 << 20;

    /** Page i is filled with the byte (i * 31 + offset). */
    private static byte pattern(long page, int offset) {
        return (byte) (page * 31 + offset);
    }

    private static final class GeneratedPages implements PageSource, DirtyPageSource, PageSink {
        long pagesRead;
        long pagesStaged;
        long badPages;
        boolean committed;

        @Override public int pageSize() { return PAGE_SIZE; }
        @Override public long pageCount() { return PAGES; }

        @Override
        public void readPage(long index, ByteBuffer dst) {
            pagesRead++;
            for (int i = 0; i < PAGE_SIZE; i++) {
                dst.put(pattern(index, i));
            }
        }

        @Override public void startTracking() {}
        @Override public void stopTracking() {}
        @Override public long dirtyPageCount() { return 0; }
        @Override public BitSet takeDirtyPages() { return new BitSet(); }

        @Override
        public void stagePage(long index, ByteBuffer page) {
            pagesStaged++;
            if (page.remaining() != PAGE_SIZE || page.get(0) != pattern(index, 0)
                    || page.get(PAGE_SIZE - 1) != pattern(index, PAGE_SIZE - 1)) {
                badPages++;
            }
        }

        @Override public void commit() { committed = true; }
        @Override public void discard() {}
    }

    @Test
    void quarterGibibyteStreamsThroughInMebibyteChunks() {
        GeneratedPages source = new GeneratedPages();
        GeneratedPages destination = new GeneratedPages();
        DeviceIdentity identity = new DeviceIdentity(0x15b3, 0x101e, 1);
        MigrationImage from = new MigrationImage(identity, MigrationFeatures.WITH_PRE_COPY, List.of(),
                Optional.of(new BulkState(5, source, source, source)));
        MigrationImage to = new MigrationImage(identity, MigrationFeatures.WITH_PRE_COPY, List.of(),
                Optional.of(new BulkState(5, destination, destination, destination)));

        SaveSession save = SaveSession.stopCopy(from);
        ResumeSession resume = new ResumeSession(to);
        long expected = save.stopCopySize();
        assertTrue(expected > (long) PAGES * PAGE_SIZE);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        long total = 0;
        int chunks = 0;
        while (true) {
            chunk.clear();
            int n = save.read(chunk);
            if (n == 0) {
                break;
            }
            total += n;
            chunks++;
            resume.write(chunk.flip());
            // Lazy production: never more pages read than the bytes handed out can hold.
            assertTrue(source.pagesRead * PAGE_SIZE <= total + PAGE_SIZE, "pages read ahead of the reader");
        }
        resume.finish();
        assertEquals(expected, total);
        assertEquals((expected + CHUNK - 1) / CHUNK, chunks);
        assertEquals(PAGES, source.pagesRead);
        assertEquals(PAGES, destination.pagesStaged);
        assertEquals(0, destination.badPages);
        assertTrue(destination.committed);
    }
}
