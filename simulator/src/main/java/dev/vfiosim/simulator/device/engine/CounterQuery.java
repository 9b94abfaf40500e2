package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * QUERY_VPORT_COUNTER input: which work queue's counters to read (output: {@link QueueCounters}).
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

    public static CounterQuery decode(ByteBuffer input) {
        return new CounterQuery(Byte.toUnsignedInt(input.get(KIND)), (input.get(CLEAR) & 1) != 0, input.getInt(NUMBER));
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(KIND, (byte) kind).put(CLEAR, (byte) (clear ? 1 : 0)).putInt(NUMBER, queueNumber);
        return b.array();
    }
}
