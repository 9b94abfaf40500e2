package dev.vfiosim.simulator.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.migration.StreamException.Fault;
import dev.vfiosim.simulator.migration.StreamInspector.Entry;
import dev.vfiosim.simulator.migration.StreamInspector.Report;
import dev.vfiosim.simulator.migration.StreamInspector.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code vfio-sim inspect}: intact, truncated and corrupted streams are each explained, never thrown. */
class StreamInspectorTest {
    private static final Vocabulary NAMES = new Vocabulary(Map.of(1, "commands", 2, "queues",
            TestDevice.BULK_TAG, "bulk pages"), Set.of(TestDevice.BULK_TAG));
    private final byte[] stream = new TestDevice(MigrationFeatures.ALL, 42).stopCopyStream();

    private static Report inspect(byte[] bytes) throws IOException {
        return StreamInspector.inspect(new ByteArrayInputStream(bytes), NAMES);
    }

    @Test
    void anIntactStreamListsItsHeaderRecordsAndPages() throws IOException {
        Report r = inspect(stream);
        assertTrue(r.intact(), r.problem().toString());
        assertEquals(stream.length, r.bytes());
        assertEquals(0x15b3, r.header().orElseThrow().vendorId());
        assertEquals(0x101e, r.header().orElseThrow().deviceId());
        assertEquals(MigrationFeatures.ALL.flags(), r.header().orElseThrow().features());
        Entry pages = r.records().stream().filter(e -> e.tag() == TestDevice.BULK_TAG).findFirst().orElseThrow();
        assertEquals("bulk pages", pages.name());
        assertEquals(StreamLayout.HEADER_SIZE, pages.offset(), "the first record follows the stream header");
        assertEquals(TestDevice.PAGES, pages.pages().orElseThrow());
        assertEquals(TestDevice.PAGE_SIZE, pages.pageSize().orElseThrow());
        assertEquals(TestDevice.PAGES, r.totalPages());
        assertTrue(r.records().stream().allMatch(e -> e.crcGood().orElseThrow()));
        Entry end = r.records().get(r.records().size() - 1);
        assertEquals("END", end.name());
        assertEquals(stream.length - StreamLayout.framedSize(0), end.offset());
        long offset = StreamLayout.HEADER_SIZE;
        for (Entry e : r.records()) {
            assertEquals(offset, e.offset(), "records are contiguous");
            offset += StreamLayout.framedSize(e.length());
            assertFalse(e.optional());
        }
    }

    @Test
    void truncationAtEveryByteSaysWhereAndInWhichPart() throws IOException {
        for (int cut = 0; cut < stream.length; cut++) {
            Report r = inspect(Arrays.copyOf(stream, cut));
            assertEquals(Fault.TRUNCATED, r.problem().orElseThrow().fault(), "cut at " + cut);
            assertEquals(cut, r.problem().orElseThrow().offset(), "the fault is where the bytes stop");
            assertEquals(cut, r.bytes());
        }
        String inPages = inspect(Arrays.copyOf(stream, StreamLayout.HEADER_SIZE + 100)).problem().orElseThrow().detail();
        assertTrue(inPages.contains("inside the payload of bulk pages"), inPages);
        String header = inspect(Arrays.copyOf(stream, 10)).problem().orElseThrow().detail();
        assertTrue(header.contains("inside the stream header"), header);
    }

    @Test
    void aCorruptPayloadByteIsABadCrcInThatRecordAndTheWalkGoesOn() throws IOException {
        byte[] bad = stream.clone();
        int at = StreamLayout.HEADER_SIZE + StreamLayout.RECORD_HEADER_SIZE + PageRecord.HEADER_SIZE + 20;
        bad[at] ^= 0x40;
        Report r = inspect(bad);
        assertEquals(Fault.CHECKSUM_MISMATCH, r.problem().orElseThrow().fault());
        assertEquals(StreamLayout.HEADER_SIZE, r.problem().orElseThrow().offset(), "names the record's offset");
        assertEquals(TestDevice.BULK_TAG, r.problem().orElseThrow().tag());
        assertFalse(r.records().get(0).crcGood().orElseThrow());
        assertTrue(r.records().stream().skip(1).allMatch(e -> e.crcGood().orElseThrow()), "later records still checked");
        assertEquals("END", r.records().get(r.records().size() - 1).name(), "the walk reached END");
    }

    @Test
    void badMagicFlagsLengthAndTrailingDataAreNamed() throws IOException {
        byte[] magic = stream.clone();
        magic[0] = 'X';
        assertEquals(Fault.BAD_MAGIC, inspect(magic).problem().orElseThrow().fault());

        byte[] flags = stream.clone();
        flags[StreamLayout.HEADER_SIZE + 4] = 0x04;
        assertEquals(Fault.BAD_RECORD_FLAGS, inspect(flags).problem().orElseThrow().fault());

        byte[] length = stream.clone();
        length[StreamLayout.HEADER_SIZE + 15] = 0x7f;
        assertEquals(Fault.RECORD_TOO_LARGE, inspect(length).problem().orElseThrow().fault());

        byte[] trailing = Arrays.copyOf(stream, stream.length + 3);
        Report r = inspect(trailing);
        assertEquals(Fault.TRAILING_DATA, r.problem().orElseThrow().fault());
        assertEquals(stream.length, r.problem().orElseThrow().offset());
    }
}
