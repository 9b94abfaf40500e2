package dev.vfiosim.server.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.migration.DataChunk;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A MIG_DATA_READ reply whose pages are lent goes out as segments; their bytes, in order, are the
 * flat reply the copying read builds: the same MigrationData header, data and zero padding.
 */
class MigrationCommandsLendingTest {
    /** A stopped device with {@code total} bytes of data: 16 inline bytes then a lent 4 KiB "page", repeated. */
    private static final class LendingDevice implements VfioMigration {
        private final ByteBuffer memory = ByteBuffer.allocateDirect(1 << 16);
        private final ByteBuffer readOnly = memory.asReadOnlyBuffer();
        private final int total;
        private int cursor;
        boolean countWrong;

        LendingDevice(int total) {
            this.total = total;
            for (int i = 0; i < memory.capacity(); i++) {
                memory.put(i, (byte) (i * 31 + 7));
            }
        }

        @Override public long flags() { return 1; }
        @Override public int state() { return STOP_COPY; }
        @Override public void setState(int target) { }
        @Override public long stopCopySize() { return total - cursor; }
        @Override public PrecopyInfo precopyInfo() { return new PrecopyInfo(0, 0); }
        @Override public void write(ByteBuffer src) { }

        @Override
        public int read(ByteBuffer dst) {
            int n = Math.min(dst.remaining(), total - cursor);
            dst.put(memory.slice(cursor, n));
            cursor += n;
            return n;
        }

        /** Blocks of 16 inline bytes then 4096 lent ones, cut wherever the chunk ends. */
        @Override
        public int read(DataChunk chunk) {
            int start = chunk.length();
            while (chunk.remaining() > 0 && cursor < total) {
                int inBlock = cursor % 4112;
                int run = Math.min(inBlock < 16 ? 16 - inBlock : 4112 - inBlock, Math.min(chunk.remaining(), total - cursor));
                if (inBlock < 16 || !chunk.lends()) {
                    chunk.appendInline(run).put(memory.slice(cursor, run));
                } else {
                    chunk.lend(readOnly, cursor, run);
                }
                cursor += run;
            }
            return chunk.length() - start + (countWrong ? 1 : 0);
        }
    }

    private static ByteBuffer request(int size) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 8 + size).putInt(4, size);
    }

    private static ByteBuffer replyBuffer() {
        return ByteBuffer.allocateDirect(8 + 65536).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] flat(MigrationCommands.LentReply reply) {
        ByteBuffer out = ByteBuffer.allocate(reply.bodySize() + 16);
        for (int i = 0; i < reply.count(); i++) {
            out.put(reply.buffer(i).slice(reply.offset(i), reply.length(i)));
        }
        return out.array();
    }

    @ParameterizedTest
    @CsvSource({"20000, 8192", "20000, 4099", "20000, 17", "5000, 8192", "0, 4096"})
    void lentReplyIsTheCopyingReplyByteForByte(int total, int chunkSize) {
        MigrationCommands copying = new MigrationCommands(new LendingDevice(total), "copying", true);
        MigrationCommands lending = new MigrationCommands(new LendingDevice(total), "lending", true);
        ByteBuffer header = ByteBuffer.allocateDirect(16);
        int lentReplies = 0;
        for (int read = 0; read < total / chunkSize + 2; read++) {
            ByteBuffer flatReply = replyBuffer();
            copying.read(request(chunkSize), flatReply, 65536, false);
            assertNull(copying.takeLentReply(header), "a chunk that may not lend is flat");
            byte[] expected = new byte[16 + 8 + chunkSize];
            flatReply.get(0, expected, 16, flatReply.position());

            ByteBuffer lentBuffer = replyBuffer();
            lending.read(request(chunkSize), lentBuffer, 65536, true);
            MigrationCommands.LentReply lent = lending.takeLentReply(header);
            byte[] actual;
            if (lent == null) {   // nothing lent (e.g. only inline bytes or the end): flat as before
                actual = new byte[16 + 8 + chunkSize];
                lentBuffer.get(0, actual, 16, lentBuffer.position());
            } else {
                lentReplies++;
                assertEquals(8 + chunkSize, lent.bodySize());
                actual = flat(lent);
                assertNull(lending.takeLentReply(header), "a lent reply is taken once");
            }
            assertArrayEquals(expected, actual, "read " + read);
        }
        if (total > 0 && chunkSize > 16) {
            assertTrue(lentReplies > 0, "some replies lent pages");
        }
    }

    @Test
    void withoutTheLendSwitchRepliesAreFlat() {
        MigrationCommands commands = new MigrationCommands(new LendingDevice(20000), "default", false);
        commands.read(request(8192), replyBuffer(), 65536, true);
        assertNull(commands.takeLentReply(ByteBuffer.allocateDirect(16)));
    }

    @Test
    void aDeviceThatMiscountsIsEio() {
        LendingDevice device = new LendingDevice(20000);
        device.countWrong = true;
        MigrationCommands commands = new MigrationCommands(device, "miscount", true);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> commands.read(request(8192), replyBuffer(), 65536, true));
        assertEquals(Errno.EIO, e.errno());
    }
}
