package dev.vfiosim.simulator.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.migration.StreamException.Fault;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class MigrationStreamTest {
    private static final MigrationFeatures FEATURES = MigrationFeatures.ALL;

    private final TestDevice source = new TestDevice(FEATURES, 42);

    /** Feeds the whole stream (in one write) to a fresh destination and returns its fault. */
    private static StreamException refusal(TestDevice destination, byte[] stream) {
        ResumeSession session = new ResumeSession(destination.image);
        return assertThrows(StreamException.class, () -> {
            session.write(ByteBuffer.wrap(stream));
            session.finish();
        });
    }

    private static void assertNothingApplied(TestDevice destination) {
        assertEquals(0, destination.commands.commits);
        assertEquals(0, destination.queues.commits);
        assertEquals(0, destination.pages.commits);
    }

    /** Refuses the stream with this fault and applies nothing; returns the refusal for more checks. */
    private static StreamException assertRefused(byte[] stream, Fault fault) {
        TestDevice destination = new TestDevice(FEATURES, 0);
        StreamException e = refusal(destination, stream);
        assertEquals(fault, e.fault());
        assertNothingApplied(destination);
        return e;
    }

    /** The framed bytes of one record, cut out of a stream made of it and END. */
    private static byte[] record(int tag, boolean optional, int version, byte[] payload) {
        ArrayDeque<OutgoingRecord> feed = new ArrayDeque<>(List.of(
                new OutgoingRecord(tag, optional, version, RecordPayload.of(payload)), OutgoingRecord.END));
        MigrationStreamWriter writer = new MigrationStreamWriter(TestDevice.IDENTITY, FEATURES);
        ByteBuffer all = ByteBuffer.allocate(1 << 12);
        writer.read(all, feed::poll);
        return Arrays.copyOfRange(all.array(), StreamLayout.HEADER_SIZE,
                StreamLayout.HEADER_SIZE + (int) StreamLayout.framedSize(payload.length));
    }

    /** The stream with {@code extra} inserted right after the stream header. */
    private static byte[] withRecordAfterHeader(byte[] stream, byte[] extra) {
        ByteBuffer spliced = ByteBuffer.allocate(stream.length + extra.length);
        spliced.put(stream, 0, StreamLayout.HEADER_SIZE).put(extra);
        spliced.put(stream, StreamLayout.HEADER_SIZE, stream.length - StreamLayout.HEADER_SIZE);
        return spliced.array();
    }

    @Test
    void roundTripWithRandomSegmentationOnBothSides() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            SaveSession save = SaveSession.stopCopy(source.image);
            byte[] stream = TestDevice.drain(save, random, 1 + random.nextInt(700));
            assertTrue(save.ended());
            TestDevice destination = new TestDevice(FEATURES, 0);
            ResumeSession resume = new ResumeSession(destination.image);
            TestDevice.feed(resume, stream, random, 1 + random.nextInt(300));
            resume.finish();
            assertTrue(destination.sameStateAs(source), "seed " + seed);
        }
    }

    @Test
    void oneByteWritesWork() {
        byte[] stream = source.stopCopyStream();
        TestDevice destination = new TestDevice(FEATURES, 0);
        ResumeSession resume = new ResumeSession(destination.image);
        for (byte b : stream) {
            resume.write(ByteBuffer.wrap(new byte[] {b}));
        }
        resume.finish();
        assertTrue(destination.sameStateAs(source));
    }

    @Test
    void headerLayoutIsAsDocumented() {
        ByteBuffer header = ByteBuffer.wrap(source.stopCopyStream()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('V', header.get(0));
        assertEquals('G', header.get(7));
        assertEquals(1, header.getInt(8));
        assertEquals(0x15b3, header.getShort(12));
        assertEquals(0x101e, header.getShort(14));
        assertEquals(3, header.getInt(16));
        assertEquals(7, header.getInt(20));
        assertEquals(TestDevice.BULK_TAG, header.getInt(24));
        assertEquals(PageRecord.payloadLength(TestDevice.PAGES, TestDevice.PAGE_SIZE), header.getLong(32));
    }

    @Test
    void recordTrailerIsCrc32cOfHeaderAndPayload() {
        byte[] r = record(9, false, 1, new byte[] {1, 2, 3});
        CRC32C crc = new CRC32C();
        crc.update(r, 0, r.length - StreamLayout.TRAILER_SIZE);
        assertEquals((int) crc.getValue(), ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).getInt(r.length - 4));
    }

    @Test
    void corruptionOfEachHeaderFieldIsNamed() {
        byte[] stream = source.stopCopyStream();
        Object[][] cases = {
            {0, Fault.BAD_MAGIC}, {7, Fault.BAD_MAGIC}, {8, Fault.UNSUPPORTED_VERSION},
            {12, Fault.IDENTITY_MISMATCH}, {15, Fault.IDENTITY_MISMATCH}, {16, Fault.IDENTITY_MISMATCH},
            {20, Fault.FEATURE_MISMATCH},
        };
        for (Object[] c : cases) {
            byte[] bad = stream.clone();
            bad[(int) c[0]] ^= 0x02;
            TestDevice destination = new TestDevice(FEATURES, 0);
            StreamException e = refusal(destination, bad);
            assertEquals(c[1], e.fault(), "byte " + c[0]);
            assertEquals(StreamLayout.HEADER_SIZE, e.offset());
            assertNothingApplied(destination);
        }
    }

    @Test
    void unsupportedVersionHasItsErrno() {
        byte[] bad = source.stopCopyStream();
        bad[8] = 2;
        StreamException e = refusal(new TestDevice(FEATURES, 0), bad);
        assertEquals(Errno.ENOTSUP, e.errno());
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    }

    @Test
    void corruptPayloadByteIsAChecksumMismatchInThatRecord() {
        byte[] stream = source.stopCopyStream();
        int firstPageByte = StreamLayout.HEADER_SIZE + StreamLayout.RECORD_HEADER_SIZE + PageRecord.HEADER_SIZE + 8;
        int[] offsets = {firstPageByte, stream.length / 2,
            stream.length - (int) StreamLayout.framedSize(0) - StreamLayout.TRAILER_SIZE - 1};
        long[] tags = {TestDevice.BULK_TAG, TestDevice.BULK_TAG, 2};
        for (int i = 0; i < offsets.length; i++) {
            byte[] bad = stream.clone();
            bad[offsets[i]] ^= 0x10;
            TestDevice destination = new TestDevice(FEATURES, 0);
            StreamException e = refusal(destination, bad);
            assertEquals(Fault.CHECKSUM_MISMATCH, e.fault(), "offset " + offsets[i]);
            assertEquals(tags[i], e.tag());
            assertNothingApplied(destination);
        }
    }

    @Test
    void truncationAtEveryByteIsDetectedAndNothingApplied() {
        byte[] stream = source.stopCopyStream();
        int bulkPayloadStart = StreamLayout.HEADER_SIZE + StreamLayout.RECORD_HEADER_SIZE;
        for (int length = 0; length < stream.length; length++) {
            TestDevice destination = new TestDevice(FEATURES, 0);
            StreamException e = refusal(destination, Arrays.copyOf(stream, length));
            assertEquals(Fault.TRUNCATED, e.fault(), "length " + length);
            assertEquals(length, e.offset());
            if (length > bulkPayloadStart && length < bulkPayloadStart + 100) {
                assertEquals(TestDevice.BULK_TAG, e.tag(), "length " + length);
            }
            assertNothingApplied(destination);
        }
    }

    @Test
    void trailingGarbageAfterEndIsRefused() {
        byte[] stream = source.stopCopyStream();
        byte[] longer = Arrays.copyOf(stream, stream.length + 1);
        StreamException e = assertRefused(longer, Fault.TRAILING_DATA);
        assertEquals(stream.length, e.offset());
    }

    @Test
    void unknownOptionalRecordIsSkipped() {
        byte[] stream = withRecordAfterHeader(source.stopCopyStream(), record(77, true, 1, new byte[300]));
        TestDevice destination = new TestDevice(FEATURES, 0);
        ResumeSession resume = new ResumeSession(destination.image);
        TestDevice.feed(resume, stream, new Random(5), 17);
        resume.finish();
        assertTrue(destination.sameStateAs(source));
    }

    @Test
    void skippedOptionalRecordIsStillChecksummed() {
        byte[] extra = record(77, true, 1, new byte[8]);
        extra[StreamLayout.RECORD_HEADER_SIZE] ^= 1;
        StreamException e = refusal(new TestDevice(FEATURES, 0), withRecordAfterHeader(source.stopCopyStream(), extra));
        assertEquals(Fault.CHECKSUM_MISMATCH, e.fault());
        assertEquals(77, e.tag());
    }

    @Test
    void unknownMandatoryRecordIsRejected() {
        byte[] stream = withRecordAfterHeader(source.stopCopyStream(), record(77, false, 1, new byte[4]));
        StreamException e = assertRefused(stream, Fault.UNKNOWN_MANDATORY_RECORD);
        assertEquals(77, e.tag());
        assertEquals(Errno.ENOTSUP, e.errno());
    }

    @Test
    void newerVersionOfAKnownRecordIsSkippedWhenOptionalAndRejectedWhenMandatory() {
        byte[] newer = record(1, true, 3, new byte[5]);
        ResumeSession resume = new ResumeSession(new TestDevice(FEATURES, 0).image);
        resume.write(ByteBuffer.wrap(withRecordAfterHeader(source.stopCopyStream(), newer)));
        resume.finish();

        StreamException e = refusal(new TestDevice(FEATURES, 0),
                withRecordAfterHeader(source.stopCopyStream(), record(1, false, 3, new byte[5])));
        assertEquals(Fault.UNSUPPORTED_RECORD_VERSION, e.fault());
    }

    @Test
    void olderComponentVersionStillLoads() {
        PayloadWriter v1 = new PayloadWriter().putU32(1).putU64(99);
        byte[] stream = withRecordAfterHeader(source.stopCopyStream(), record(1, false, 1, v1.toByteArray()));
        // The later (final) record of tag 1 replaces the staged v1 one; check the v1 parse itself too.
        TestDevice destination = new TestDevice(FEATURES, 0);
        ResumeSession resume = new ResumeSession(destination.image);
        resume.write(ByteBuffer.wrap(stream));
        resume.finish();
        assertTrue(destination.sameStateAs(source));
        CounterRecord alone = new CounterRecord(1, false);
        alone.stage(1, ByteBuffer.wrap(v1.toByteArray()).order(ByteOrder.LITTLE_ENDIAN));
        alone.commit();
        assertArrayEquals(new long[] {99}, alone.live);
        assertEquals(0, alone.generation);
    }

    @Test
    void malformedComponentPayloadIsRefused() {
        byte[] stream = withRecordAfterHeader(source.stopCopyStream(), record(1, false, 2, new byte[] {5, 0, 0, 0}));
        StreamException e = refusal(new TestDevice(FEATURES, 0), stream);
        assertEquals(Fault.MALFORMED_RECORD, e.fault());
        assertEquals(1, e.tag());
    }

    @Test
    void corruptPageRecordHeaderIsMalformedBeforeAnyPageIsStaged() {
        // A streaming loader checks its own layout as it goes; it cannot wait for the trailer.
        byte[] bad = source.stopCopyStream();
        bad[StreamLayout.HEADER_SIZE + StreamLayout.RECORD_HEADER_SIZE] ^= 0x10;
        StreamException e = assertRefused(bad, Fault.MALFORMED_RECORD);
        assertEquals(TestDevice.BULK_TAG, e.tag());
    }

    @Test
    void absurdRecordLengthIsRefusedBeforeAnythingIsStaged() {
        byte[] stream = source.stopCopyStream();
        ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(StreamLayout.HEADER_SIZE + 8, StreamLayout.MAX_PAYLOAD + 1);
        StreamException e = refusal(new TestDevice(FEATURES, 0), stream);
        assertEquals(Fault.RECORD_TOO_LARGE, e.fault());
        assertEquals(Errno.ENOMEM, e.errno());
    }

    @Test
    void missingComponentOrPagesIsIncomplete() {
        MigrationStreamWriter writer = new MigrationStreamWriter(TestDevice.IDENTITY, FEATURES);
        ArrayDeque<OutgoingRecord> feed = new ArrayDeque<>(List.of(source.commands.snapshot(), OutgoingRecord.END));
        ByteBuffer out = ByteBuffer.allocate(4096);
        writer.read(out, feed::poll);
        byte[] stream = Arrays.copyOf(out.array(), out.position());
        StreamException e = assertRefused(stream, Fault.INCOMPLETE);
        assertTrue(e.getMessage().contains("never received"), e.getMessage());
    }

    @Test
    void aFailedSessionKeepsReportingItsFirstFault() {
        byte[] bad = source.stopCopyStream();
        bad[0] ^= 1;
        ResumeSession resume = new ResumeSession(new TestDevice(FEATURES, 0).image);
        StreamException first = assertThrows(StreamException.class, () -> resume.write(ByteBuffer.wrap(bad)));
        assertEquals(first, assertThrows(StreamException.class, () -> resume.write(ByteBuffer.wrap(new byte[1]))));
        assertEquals(first, assertThrows(StreamException.class, resume::finish));
        assertFalse(first.getMessage().isEmpty());
    }
}
