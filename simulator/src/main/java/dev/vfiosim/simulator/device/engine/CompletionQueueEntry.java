package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;

/**
 * A CQE (32 bytes). The device writes bytes 0x00-0x1E first and the op_own byte in a second,
 * later write, so a driver that sees the owner bit flip sees the whole entry.
 *
 * <pre>
 * off   size  field
 * 0x00  u32   byte count     bytes sent / received (0 in an error CQE)
 * 0x04  u32   queue number   the SQ or RQ the WQE belongs to
 * 0x08  u16   WQE counter    the WQE's producer counter, low 16 bits
 * 0x0A  u8    syndrome       0, or an mlx5 error syndrome ({@link #LOCAL_LENGTH_ERROR}, {@link #LOCAL_PROTECTION_ERROR})
 * 0x0B  u8    reserved
 * 0x0C  u32   reserved
 * 0x10  u64   timestamp      the device's running time in ns when it wrote the CQE
 * 0x18  u8[7] reserved
 * 0x1F  u8    op_own         bits 7:4 opcode ({@link #REQUESTER}, {@link #RESPONDER_SEND}, {@link #REQUESTER_ERROR},
 *                            {@link #RESPONDER_ERROR}); bit 0 owner (phase, see {@link RingGeometry#phase})
 * </pre>
 */
public record CompletionQueueEntry(int byteCount, int queueNumber, int wqeCounter, int syndrome, long timestamp,
        int opcode, int owner) {
    public static final int SIZE = 32;
    public static final int BYTE_COUNT = 0x00;
    public static final int QUEUE_NUMBER = 0x04;
    public static final int WQE_COUNTER = 0x08;
    public static final int SYNDROME = 0x0A;
    public static final int TIMESTAMP = 0x10;
    public static final int OP_OWN = 0x1F;
    public static final int OPCODE_SHIFT = 4;
    public static final int OWNER_BIT = 1;
    /** mlx5 CQE opcodes. */
    public static final int REQUESTER = 0x0;
    public static final int RESPONDER_SEND = 0x2;
    public static final int REQUESTER_ERROR = 0xd;
    public static final int RESPONDER_ERROR = 0xe;
    /** mlx5 CQE error syndromes. */
    public static final int LOCAL_LENGTH_ERROR = 0x01;
    public static final int LOCAL_PROTECTION_ERROR = 0x04;

    public static CompletionQueueEntry decode(ByteBuffer b, int at) {
        int opOwn = Byte.toUnsignedInt(b.get(at + OP_OWN));
        return new CompletionQueueEntry(b.getInt(at + BYTE_COUNT), b.getInt(at + QUEUE_NUMBER),
                Short.toUnsignedInt(b.getShort(at + WQE_COUNTER)), Byte.toUnsignedInt(b.get(at + SYNDROME)),
                b.getLong(at + TIMESTAMP), opOwn >>> OPCODE_SHIFT, opOwn & OWNER_BIT);
    }

    /** Bytes 0x00..0x1E (everything but op_own) into {@code b} from 0, limit set to {@link #OP_OWN}. */
    public void encodeBody(ByteBuffer b) {
        b.clear().limit(OP_OWN);
        for (int i = 0; i < OP_OWN; i++) {
            b.put(i, (byte) 0);
        }
        b.putInt(BYTE_COUNT, byteCount).putInt(QUEUE_NUMBER, queueNumber).putShort(WQE_COUNTER, (short) wqeCounter)
                .put(SYNDROME, (byte) syndrome).putLong(TIMESTAMP, timestamp);
    }

    public byte opOwn() {
        return (byte) (opcode << OPCODE_SHIFT | owner & OWNER_BIT);
    }

    public boolean isError() {
        return opcode == REQUESTER_ERROR || opcode == RESPONDER_ERROR;
    }
}
