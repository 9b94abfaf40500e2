package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;

/**
 * The body of this model's loopback CREATE_CQ / CREATE_SQ / CREATE_RQ commands (one layout for all
 * three), big-endian, at input offset {@link #BODY} after the 16-byte mlx5 command header. This is
 * the model's simplified queue model behind mlx5 opcodes, not mlx5's cqc/sqc/rqc (docs/device.md).
 *
 * <pre>
 * off   size  field            CQ            SQ                  RQ
 * 0x00  u64   ring IOVA        CQE ring      WQE ring            WQE ring
 * 0x08  u64   doorbell record  consumer ctr  producer counter    producer counter
 * 0x10  u16   attach           EQ number     CQ number           CQ number
 * 0x12  u16   peer             0             loopback RQ number  0
 * 0x14  u8    log size         entries = 2^log size (1..the limit in {@link HcaCapabilities})
 * 0x15  u8    flags            0
 * 0x16  u16   reserved
 * </pre>
 * Rings must be 4 KiB aligned, doorbell records 4-byte aligned.
 */
public record QueueCreateInput(long ringIova, long doorbellRecordIova, int attach, int peer, int logSize, int flags) {
    public static final int SIZE = 0x18;
    public static final int RING_IOVA = 0x00;
    public static final int DOORBELL_RECORD = 0x08;
    public static final int ATTACH = 0x10;
    public static final int PEER = 0x12;
    public static final int LOG_SIZE = 0x14;
    public static final int FLAGS = 0x15;
    public static final int BODY = 0x10;

    /** Decodes the body of a command input (big-endian buffer starting at the command header). */
    public static QueueCreateInput decode(ByteBuffer input) {
        return new QueueCreateInput(input.getLong(BODY + RING_IOVA), input.getLong(BODY + DOORBELL_RECORD),
                Short.toUnsignedInt(input.getShort(BODY + ATTACH)), Short.toUnsignedInt(input.getShort(BODY + PEER)),
                Byte.toUnsignedInt(input.get(BODY + LOG_SIZE)), Byte.toUnsignedInt(input.get(BODY + FLAGS)));
    }

    /** The whole command input for {@code op}: mlx5 header, then this body. */
    public byte[] encode(CommandOpcode op) {
        ByteBuffer b = ByteBuffer.allocate(BODY + SIZE).order(java.nio.ByteOrder.BIG_ENDIAN);
        b.putShort(CommandEntry.OPCODE, (short) op.code());
        b.putLong(BODY + RING_IOVA, ringIova).putLong(BODY + DOORBELL_RECORD, doorbellRecordIova)
                .putShort(BODY + ATTACH, (short) attach).putShort(BODY + PEER, (short) peer).put(BODY + LOG_SIZE, (byte) logSize)
                .put(BODY + FLAGS, (byte) flags);
        return b.array();
    }
}
