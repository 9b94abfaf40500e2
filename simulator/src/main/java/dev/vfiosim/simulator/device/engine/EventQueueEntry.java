package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;

/**
 * An EQE (16 bytes), written like a CQE: body first, owner byte last.
 *
 * <pre>
 * off   size  field
 * 0x00  u8    event type  {@link #COMPLETION} (mlx5 0x00) or {@link #COMMAND} (mlx5 0x0a)
 * 0x01  u8[3] reserved
 * 0x04  u32   data        COMPLETION: the CQ number; COMMAND: bitmask of the completed command slots
 * 0x08  u8[7] reserved
 * 0x0F  u8    owner       bit 0: phase (see {@link RingGeometry#phase})
 * </pre>
 */
public record EventQueueEntry(int type, int data, int owner) {
    public static final int SIZE = 16;
    public static final int TYPE = 0x00;
    public static final int DATA = 0x04;
    public static final int OWNER = 0x0F;
    public static final int COMPLETION = 0x00;
    public static final int COMMAND = 0x0a;

    public static EventQueueEntry decode(ByteBuffer b, int at) {
        return new EventQueueEntry(Byte.toUnsignedInt(b.get(at + TYPE)), b.getInt(at + DATA), b.get(at + OWNER) & 1);
    }

    /** Bytes 0x00..0x0E into {@code b} from 0, limit set to {@link #OWNER}. */
    public void encodeBody(ByteBuffer b) {
        b.clear().limit(OWNER);
        for (int i = 0; i < OWNER; i++) {
            b.put(i, (byte) 0);
        }
        b.put(TYPE, (byte) type).putInt(DATA, data);
    }
}
