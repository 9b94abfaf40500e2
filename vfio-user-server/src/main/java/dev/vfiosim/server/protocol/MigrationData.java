package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * MIG_DATA_READ and MIG_DATA_WRITE: the migration stream over the socket (vfio-user has no data fd).
 *
 * <pre>
 *  off size field
 *    0  u32 argsz   request: >= 8 + size; READ reply: 8 + bytes returned
 *    4  u32 size    READ request: bytes wanted; READ reply: bytes returned; WRITE: bytes carried
 *    8  var data    READ reply and WRITE request
 * </pre>
 * A READ reply's payload is always 8 + the requested size, zero-padded past the data:
 * libvfio-user's client reads exactly that much whatever the answer, while {@code argsz} and
 * {@code size} say how much is real for everyone else. A WRITE gets no reply payload.
 */
public record MigrationData(long argsz, long size) {
    public static final int SIZE = 8;

    public static MigrationData decodeRead(ByteBuffer p) {
        Payloads.requireExactly(p, SIZE, "MIG_DATA_READ");
        MigrationData m = decode(p);
        if (m.argsz < SIZE + m.size) {
            throw ProtocolException.invalid("MIG_DATA_READ argsz " + m.argsz + " has no room for " + m.size + " bytes");
        }
        return m;
    }

    /** Decodes a WRITE; the data follows at position + 8. */
    public static MigrationData decodeWrite(ByteBuffer p) {
        Payloads.requireAtLeast(p, SIZE, "MIG_DATA_WRITE");
        MigrationData m = decode(p);
        if (m.argsz < SIZE + m.size) {
            throw ProtocolException.invalid("MIG_DATA_WRITE argsz " + m.argsz + " is below 8 + size " + m.size);
        }
        if (p.remaining() != SIZE + m.size) {
            throw ProtocolException.invalid("MIG_DATA_WRITE announces " + m.size + " bytes but carries "
                    + (p.remaining() - SIZE));
        }
        return m;
    }

    private static MigrationData decode(ByteBuffer p) {
        int b = p.position();
        return new MigrationData(Integer.toUnsignedLong(p.getInt(b)), Integer.toUnsignedLong(p.getInt(b + 4)));
    }

    public static void encode(ByteBuffer out, long argsz, long size) {
        out.putInt((int) argsz).putInt((int) size);
    }
}
