package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;

/**
 * A send or receive WQE (16 bytes).
 *
 * <pre>
 * off   size  field
 * 0x00  u64   buffer IOVA   SQ: the packet to send; RQ: an empty buffer
 * 0x08  u32   byte count    SQ: packet length; RQ: buffer capacity
 * 0x0C  u32   reserved
 * </pre>
 */
public record WorkQueueEntry(long bufferIova, int byteCount) {
    public static final int SIZE = 16;
    public static final int BUFFER = 0x00;
    public static final int BYTE_COUNT = 0x08;

    public static WorkQueueEntry decode(ByteBuffer b) {
        return new WorkQueueEntry(b.getLong(BUFFER), b.getInt(BYTE_COUNT));
    }

    public void encode(ByteBuffer b, int at) {
        b.putLong(at + BUFFER, bufferIova).putInt(at + BYTE_COUNT, byteCount).putInt(at + BYTE_COUNT + Integer.BYTES, 0);
    }
}
