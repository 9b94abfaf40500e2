package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongToIntFunction;

/**
 * One block of a command's input or output mailbox chain (mlx5_cmd_prot_block, 576 bytes, big-endian),
 * at a 1 KiB-aligned guest address. Block i carries message bytes 16 + 512*i .. 16 + 512*i + 511
 * (the first 16 are inline in the entry).
 *
 * <pre>
 * off    size    field
 * 0x000  u8[512] data
 * 0x200  u8[48]  reserved
 * 0x230  BE64    next: the next block's address, 0 at the end of the chain
 * 0x238  BE32    block number (0, 1, ...)
 * 0x23D  u8      token: the command entry's token (input blocks must carry it)
 * 0x23E  u8      ctrl_sig, 0x23F u8 sig (not checked: the driver disables checksums)
 * </pre>
 */
public final class CommandMailbox {
    public static final int SIZE = 0x240;
    public static final int DATA_SIZE = 512;
    public static final int NEXT = 0x230;
    public static final int BLOCK_NUMBER = 0x238;
    public static final int TOKEN = 0x23D;
    public static final int ALIGNMENT = 1024;

    private CommandMailbox() {
    }

    /**
     * The driver's side: writes the chain for bytes 16.. of a {@code length}-byte message into
     * consecutive 1 KiB-aligned blocks from {@code first} (for an output chain, {@code message}
     * is empty: the blocks get only their links, numbers and token). {@code memory} is the guest
     * memory as a buffer, {@code offsetOf} maps an IOVA to its index. Returns the first block's
     * address, or 0 when the message fits inline.
     */
    public static long writeChain(ByteBuffer memory, LongToIntFunction offsetOf, long first, byte[] message, int length,
            int token) {
        int n = blocksFor(length);
        for (int i = 0; i < n; i++) {
            long block = first + (long) i * ALIGNMENT;
            int at = offsetOf.applyAsInt(block);
            for (int j = 0; j < SIZE; j++) {
                memory.put(at + j, (byte) 0);
            }
            int from = CommandEntry.INLINE_SIZE + i * DATA_SIZE;
            int count = Math.max(0, Math.min(DATA_SIZE, Math.min(length, message.length) - from));
            if (count > 0) {
                memory.put(at, message, from, count);
            }
            ByteBuffer b = memory.duplicate().order(ByteOrder.BIG_ENDIAN);
            b.putLong(at + NEXT, i + 1 < n ? block + ALIGNMENT : 0).putInt(at + BLOCK_NUMBER, i).put(at + TOKEN, (byte) token);
        }
        return n == 0 ? 0 : first;
    }

    /**
     * The driver's side: the whole output message (big-endian) of a completed entry at
     * {@code entryAt} (a buffer index), inline bytes then the chain from {@code first}.
     */
    public static ByteBuffer readOutput(ByteBuffer memory, LongToIntFunction offsetOf, int entryAt, long first, int length) {
        ByteBuffer out = ByteBuffer.allocate(Math.max(length, CommandEntry.INLINE_SIZE)).order(ByteOrder.BIG_ENDIAN);
        out.put(0, memory, entryAt + CommandEntry.OUTPUT, CommandEntry.INLINE_SIZE);
        for (int i = 0; i < blocksFor(length); i++) {
            int from = CommandEntry.INLINE_SIZE + i * DATA_SIZE;
            out.put(from, memory, offsetOf.applyAsInt(first + (long) i * ALIGNMENT), Math.min(DATA_SIZE, length - from));
        }
        return out;
    }

    /** Blocks a message of {@code length} bytes needs beyond the inline 16. */
    public static int blocksFor(int length) {
        int rest = Math.max(0, length - CommandEntry.INLINE_SIZE);
        return (rest + DATA_SIZE - 1) / DATA_SIZE;
    }
}
