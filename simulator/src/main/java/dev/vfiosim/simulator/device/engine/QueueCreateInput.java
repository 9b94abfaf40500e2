package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;

/**
 * The input of every CREATE_EQ / CREATE_CQ / CREATE_SQ / CREATE_RQ command (one layout for all four).
 *
 * <pre>
 * off   size  field            EQ                 CQ            SQ                  RQ
 * 0x00  u64   ring IOVA        EQE ring           CQE ring      WQE ring            WQE ring
 * 0x08  u64   doorbell record  0 (unused)         consumer ctr  producer counter    producer counter
 * 0x10  u16   attach           MSI-X vector       EQ number     CQ number           CQ number
 * 0x12  u16   peer             0                  0             loopback RQ number  0
 * 0x14  u8    log size         entries = 2^log size (1..the limit in {@link HcaCapabilities})
 * 0x15  u8    flags            bit 0: command completion events go to this EQ (EQ only)
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
    public static final int FLAG_COMMAND_EVENTS = 1;

    public static QueueCreateInput decode(ByteBuffer input) {
        return new QueueCreateInput(input.getLong(RING_IOVA), input.getLong(DOORBELL_RECORD),
                Short.toUnsignedInt(input.getShort(ATTACH)), Short.toUnsignedInt(input.getShort(PEER)),
                Byte.toUnsignedInt(input.get(LOG_SIZE)), Byte.toUnsignedInt(input.get(FLAGS)));
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(RING_IOVA, ringIova).putLong(DOORBELL_RECORD, doorbellRecordIova).putShort(ATTACH, (short) attach)
                .putShort(PEER, (short) peer).put(LOG_SIZE, (byte) logSize).put(FLAGS, (byte) flags);
        return b.array();
    }
}
