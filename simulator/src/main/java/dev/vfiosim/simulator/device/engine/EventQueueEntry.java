package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;

/**
 * An mlx5 EQE (64 bytes, big-endian), written body first and the owner byte last, in a separate write.
 *
 * <pre>
 * off   size  field
 * 0x00  u8    reserved
 * 0x01  u8    event type: {@link #COMPLETION} 0x00, {@link #COMMAND} 0x0a, {@link #PAGE_REQUEST} 0x0b
 * 0x02  u8    reserved
 * 0x03  u8    sub type
 * 0x04  u8[28] reserved
 * 0x20  u8[28] event data:
 *             COMMAND       0x20 BE32 bitmap of the completed command slots
 *             COMPLETION    0x38 BE32 bits 23:0 the CQ number
 *             PAGE_REQUEST  0x20 BE16 ec_function, 0x22 BE16 function id, 0x24 BE32 pages (negative: return)
 * 0x3C  u16   reserved
 * 0x3E  u8    signature (0)
 * 0x3F  u8    owner: bit 0 = pass over the ring, 0 on the first (the driver initialises it to 1)
 * </pre>
 */
public final class EventQueueEntry {
    public static final int SIZE = 64;
    public static final int TYPE = 0x01;
    public static final int DATA = 0x20;
    public static final int COMMAND_SLOTS = DATA;
    public static final int COMPLETION_CQ = DATA + 0x18;
    public static final int PAGE_FUNCTION = DATA + 0x02;
    public static final int PAGE_COUNT = DATA + 0x04;
    public static final int OWNER = 0x3F;
    public static final int COMPLETION = 0x00;
    public static final int COMMAND = 0x0a;
    public static final int PAGE_REQUEST = 0x0b;
    public static final int CQ_NUMBER_MASK = 0xFF_FFFF;
    /** What a driver writes into every owner byte before handing the ring over (mlx5's init value). */
    public static final int OWNER_INIT = 1;

    private EventQueueEntry() {
    }

    /** The owner bit the device writes for the EQE at free-running index {@code counter} of a 2^logSize ring. */
    public static int owner(int counter, int logSize) {
        return counter >>> logSize & 1;
    }

    /** Bytes 0x00..0x3E of an EQE of {@code type} with the one data word at {@code dataAt}, limit set to {@link #OWNER}. */
    static void encodeBody(ByteBuffer b, int type, int dataAt, int data) {
        b.clear().limit(OWNER);
        for (int i = 0; i < OWNER; i++) {
            b.put(i, (byte) 0);
        }
        b.put(TYPE, (byte) type);
        // big-endian whatever the scratch buffer's order (the driver reads be32_to_cpu)
        for (int i = 0; i < Integer.BYTES; i++) {
            b.put(dataAt + i, (byte) (data >>> Byte.SIZE * (Integer.BYTES - 1 - i)));
        }
    }

    public static int type(ByteBuffer b, int at) {
        return Byte.toUnsignedInt(b.get(at + TYPE));
    }

    public static int ownerBit(ByteBuffer b, int at) {
        return b.get(at + OWNER) & 1;
    }
}
