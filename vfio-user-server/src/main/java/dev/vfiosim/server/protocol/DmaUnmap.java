package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DMA_UNMAP request; the reply echoes the 24-byte struct.
 *
 * <pre>
 *  off size field
 *    0  u32 argsz    >= 24
 *    4  u32 flags    0, or ALL 0x2 (address and size 0); GET_DIRTY_BITMAP 0x1 is libvfio-user's only
 *    8  u64 address
 *   16  u64 size
 * </pre>
 */
public record DmaUnmap(long argsz, int flags, long address, long size) {
    public static final int SIZE = 24;
    public static final int FLAG_GET_DIRTY_BITMAP = 0x1;
    public static final int FLAG_ALL = 0x2;

    public static DmaUnmap decode(ByteBuffer p) {
        Payloads.requireAtLeast(p, SIZE, "DMA_UNMAP");
        int b = p.position();
        DmaUnmap u = new DmaUnmap(Integer.toUnsignedLong(p.getInt(b)), p.getInt(b + 4), p.getLong(b + 8), p.getLong(b + 16));
        Payloads.requireArgsz(u.argsz, SIZE, "DMA_UNMAP");
        if (u.flags != 0 && u.flags != FLAG_ALL) {
            throw ProtocolException.invalid("DMA_UNMAP flags 0x" + Integer.toHexString(u.flags)
                    + " not supported (0 or ALL)");
        }
        if (u.flags == FLAG_ALL && (u.address != 0 || u.size != 0)) {
            throw ProtocolException.invalid("DMA_UNMAP ALL needs address and size 0");
        }
        Payloads.requireExactly(p, SIZE, "DMA_UNMAP");
        return u;
    }

    public void encode(ByteBuffer out) {
        out.putInt((int) argsz).putInt(flags).putLong(address).putLong(size);
    }
}
