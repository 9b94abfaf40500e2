package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DMA_MAP request: make [address, address+size) of the IOVA space reachable, backed by the fd that
 * travels with the message (mmap at {@code offset}) or, with no fd, by DMA_READ/DMA_WRITE
 * messages. The reply has no payload.
 *
 * <pre>
 *  off size field
 *    0  u32 argsz    >= 32
 *    4  u32 flags    READ 0x1, WRITE 0x2 (libvfio-user also defines MMAP 0x4 and FILE_IO 0x8, fd only)
 *    8  u64 offset   of the range inside the fd
 *   16  u64 address  IOVA
 *   24  u64 size
 * </pre>
 */
public record DmaMap(int flags, long offset, long address, long size) {
    public static final int SIZE = 32;
    public static final int FLAG_READ = 0x1;
    public static final int FLAG_WRITE = 0x2;
    public static final int FLAG_LVU_MMAP = 0x4;
    public static final int FLAG_LVU_FILE_IO = 0x8;
    private static final int KNOWN = FLAG_READ | FLAG_WRITE | FLAG_LVU_MMAP | FLAG_LVU_FILE_IO;

    public static DmaMap decode(ByteBuffer p, int fdCount) {
        Payloads.requireExactly(p, SIZE, "DMA_MAP");
        int b = p.position();
        Payloads.requireArgsz(Integer.toUnsignedLong(p.getInt(b)), SIZE, "DMA_MAP");
        DmaMap m = new DmaMap(p.getInt(b + 4), p.getLong(b + 8), p.getLong(b + 16), p.getLong(b + 24));
        if ((m.flags & ~KNOWN) != 0) {
            throw ProtocolException.invalid("DMA_MAP flags 0x" + Integer.toHexString(m.flags) + " has unknown bits");
        }
        if ((m.flags & (FLAG_LVU_MMAP | FLAG_LVU_FILE_IO)) != 0 && fdCount == 0) {
            throw ProtocolException.invalid("DMA_MAP flags MMAP/FILE_IO need an fd");
        }
        if (fdCount > 1) {
            throw ProtocolException.invalid("DMA_MAP carries " + fdCount + " fds, takes at most 1");
        }
        return m;
    }

    public boolean readable() {
        return (flags & FLAG_READ) != 0;
    }

    public boolean writable() {
        return (flags & FLAG_WRITE) != 0;
    }

    public static void encode(ByteBuffer out, int flags, long offset, long address, long size) {
        out.putInt(SIZE).putInt(flags).putLong(offset).putLong(address).putLong(size);
    }
}
