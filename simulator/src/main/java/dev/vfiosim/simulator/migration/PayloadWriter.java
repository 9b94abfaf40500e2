package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A growing little-endian buffer a small component writes its record payload into. */
public final class PayloadWriter {
    private static final int INITIAL_CAPACITY = 64;
    private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_CAPACITY).order(ByteOrder.LITTLE_ENDIAN);

    private ByteBuffer room(int bytes) {
        if (buffer.remaining() < bytes) {
            int capacity = Math.max(buffer.capacity() * 2, buffer.position() + bytes);
            ByteBuffer bigger = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(buffer.flip());
            buffer = bigger;
        }
        return buffer;
    }

    public PayloadWriter putU8(int value) {
        room(Byte.BYTES).put((byte) value);
        return this;
    }

    public PayloadWriter putU16(int value) {
        room(Short.BYTES).putShort((short) value);
        return this;
    }

    public PayloadWriter putU32(int value) {
        room(Integer.BYTES).putInt(value);
        return this;
    }

    public PayloadWriter putU64(long value) {
        room(Long.BYTES).putLong(value);
        return this;
    }

    public PayloadWriter putBytes(byte[] bytes) {
        room(bytes.length).put(bytes);
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buffer.array(), buffer.position());
    }
}
