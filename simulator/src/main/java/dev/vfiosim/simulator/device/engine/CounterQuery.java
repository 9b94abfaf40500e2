package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * This model's QUERY_VPORT_COUNTER body (big-endian, at input offset {@link #BODY} after the mlx5
 * header): which loopback work queue's counters to read (output: {@link QueueCounters} at output
 * offset {@link #BODY}). Simplified: not mlx5's query_vport_counter layout.
 *
 * <pre>
 * off   size  field
 * 0x00  u8    queue kind: 1 = SQ, 2 = RQ
 * 0x01  u8    bit 0: clear the counters after reading them
 * 0x02  u16   reserved
 * 0x04  u32   queue number
 * </pre>
 */
public record CounterQuery(int kind, boolean clear, int queueNumber) {
    public static final int SIZE = 8;
    public static final int KIND = 0x00;
    public static final int CLEAR = 0x01;
    public static final int NUMBER = 0x04;
    public static final int SEND_QUEUE = 1;
    public static final int RECEIVE_QUEUE = 2;

    public static final int BODY = 0x10;

    public static CounterQuery decode(ByteBuffer input) {
        return new CounterQuery(Byte.toUnsignedInt(input.get(BODY + KIND)), (input.get(BODY + CLEAR) & 1) != 0,
                input.getInt(BODY + NUMBER));
    }

    /** The whole QUERY_VPORT_COUNTER input: mlx5 header, then this body. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(BODY + SIZE).order(ByteOrder.BIG_ENDIAN);
        b.putShort(CommandEntry.OPCODE, (short) CommandOpcode.QUERY_VPORT_COUNTER.code());
        b.put(BODY + KIND, (byte) kind).put(BODY + CLEAR, (byte) (clear ? 1 : 0)).putInt(BODY + NUMBER, queueNumber);
        return b.array();
    }
}
