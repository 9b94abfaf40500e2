package dev.vfiosim.simulator.device.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.device.RecordTables;
import dev.vfiosim.simulator.device.RunningClock;
import dev.vfiosim.simulator.device.engine.FirmwareObject;
import dev.vfiosim.simulator.migration.PayloadWriter;
import dev.vfiosim.simulator.migration.RecordLoader;
import dev.vfiosim.simulator.migration.StreamException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Record versions: little-endian bytes, enums by value, upgrade steps, older forms written by older revisions. */
class VersionedRecordTest {
    enum Unnumbered { A, B }

    record WithUnnumbered(Unnumbered value) {
    }

    @Test
    void numbersAreLittleEndianAtTheirOffsets() {
        byte[] bytes = RecordCodec.encode(new RunningClock.ClockState(0x0102030405060708L, 0x1112131415161718L, 3));
        assertEquals(24, bytes.length);
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, java.util.Arrays.copyOfRange(bytes, 0, 8));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x1112131415161718L, b.getLong(8));
        assertEquals(3, b.getLong(0x10));
    }

    @Test
    void enumsTravelByTheirDeclaredValueNotTheirOrdinal() {
        byte[] bytes = RecordCodec.encode(new FirmwareObject(FirmwareObject.Kind.MEMORY_KEY, 5));
        assertArrayEquals(new byte[] {3, 0, 5, 0, 0, 0}, bytes);
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.encode(new WithUnnumbered(Unnumbered.B)),
                "an enum without wire values cannot reach a stream");
        byte[] unknown = {9, 0, 5, 0, 0, 0};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecordCodec.decode(FirmwareObject.class, unknown));
        assertTrue(e.getMessage().contains("wire value 9"), e.getMessage());
    }

    @Test
    void booleansAreZeroOrOne() {
        byte[] bytes = RecordCodec.encode(new Flag(true));
        assertArrayEquals(new byte[] {1}, bytes);
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(Flag.class, new byte[] {2}));
    }

    record Flag(boolean on) {
    }

    @Test
    void aVersionOneClockUpgradesWithAResetCountOfZero() {
        AtomicReference<RunningClock.ClockState> applied = new AtomicReference<>();
        CodecStateRecord<RunningClock.ClockState> clock = new CodecStateRecord<>(RunningClock.ClockState.class,
                () -> new RunningClock.ClockState(10, 20, 4), applied::set);
        assertEquals(2, clock.version());
        assertEquals("clock", clock.name());
        assertEquals(2, clock.tag());
        ByteBuffer v1 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100).putLong(50).flip();
        clock.stage(1, v1);
        clock.commit();
        assertEquals(new RunningClock.ClockState(100, 50, 0), applied.get());
        ByteBuffer v2 = ByteBuffer.wrap(payload(clock)).order(ByteOrder.LITTLE_ENDIAN);
        clock.stage(2, v2);
        clock.commit();
        assertEquals(new RunningClock.ClockState(10, 20, 4), applied.get());
    }

    @Test
    void anOlderRevisionWritesTheOldFormAndReadsNothingNewer() {
        CodecStateRecord<RunningClock.ClockState> clock = new CodecStateRecord<>(RunningClock.ClockState.class, 1,
                () -> new RunningClock.ClockState(10, 20, 4), s -> { });
        assertEquals(1, clock.version(), "the newest version this older device reads");
        byte[] bytes = payload(clock);
        assertEquals(16, bytes.length, "version 1 has no reset count");
        assertEquals(20, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(8));
        assertThrows(IllegalArgumentException.class, () -> new CodecStateRecord<>(RunningClock.ClockState.class, 3,
                () -> null, s -> { }));
    }

    @Test
    void aMalformedOldPayloadIsRefusedNamingRecordAndVersion() {
        CodecStateRecord<RunningClock.ClockState> clock = new CodecStateRecord<>(RunningClock.ClockState.class,
                () -> null, s -> { });
        RecordLoader.Rejected e = assertThrows(RecordLoader.Rejected.class,
                () -> clock.stage(1, ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)));
        assertEquals(StreamException.Fault.MALFORMED_RECORD, e.fault());
        assertTrue(e.getMessage().startsWith("clock record version 1: "), e.getMessage());
    }

    @StateRecordDeclaration(tag = 9, name = "broken", version = 2)
    record MissingOlderLayout(int x) {
    }

    @Test
    void aDeclarationNeedsALayoutForEveryOlderVersion() {
        assertThrows(IllegalArgumentException.class, () -> CodecStateRecord.declarationOf(MissingOlderLayout.class));
        assertThrows(IllegalArgumentException.class, () -> CodecStateRecord.declarationOf(Flag.class), "undeclared");
    }

    /** docs/migration.md prints each record's field table as the codec lays it out: they must not drift apart. */
    @Test
    void theDocumentedFieldTablesAreTheCodecs() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "migration.md"));
        for (Class<? extends Record> type : RecordTables.DOCUMENTED) {
            String table = RecordCodec.describe(type);
            assertTrue(docs.contains(table), "docs/migration.md lacks the table of " + type.getSimpleName()
                    + " (print them with RecordTables.main):\n" + table);
        }
    }

    private static byte[] payload(CodecStateRecord<?> record) {
        PayloadWriter out = new PayloadWriter();
        record.write(out);
        return out.toByteArray();
    }
}
