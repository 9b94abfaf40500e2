package dev.vfiosim.server.protocol;

import dev.vfiosim.simulator.pci.RegionInfo;
import dev.vfiosim.simulator.pci.SparseArea;
import java.nio.ByteBuffer;

/**
 * DEVICE_GET_REGION_INFO (struct vfio_region_info) and its capability chain.
 *
 * <pre>
 *  off size field
 *    0  u32 argsz        request: largest reply the client takes; reply: size of the full answer
 *    4  u32 flags        READ 0x1, WRITE 0x2, MMAP 0x4, CAPS 0x8
 *    8  u32 index
 *   12  u32 cap_offset   32 when a capability follows, else 0
 *   16  u64 size
 *   24  u64 offset       mmap offset of the region inside the fd passed with the reply
 *   32  ... capabilities, only when the whole answer fits the request's argsz
 *
 *  sparse mmap capability:  +0 u16 id = 1, +2 u16 version = 1, +4 u32 next = 0,
 *                           +8 u32 nr_areas, +12 u32 reserved, +16 nr_areas x {u64 offset, u64 size}
 * </pre>
 * The fd rides with the reply only when the capability chain is sent (a client asking with a small
 * argsz passes no buffer for fds and would lose it).
 */
public final class RegionInfoMessage {
    public static final int SIZE = 32;
    public static final int FLAG_READ = 0x1;
    public static final int FLAG_WRITE = 0x2;
    public static final int FLAG_MMAP = 0x4;
    public static final int FLAG_CAPS = 0x8;
    public static final int CAP_SPARSE_MMAP = 1;
    public static final int CAP_SPARSE_MMAP_VERSION = 1;
    private static final int CAP_HEADER = 16;
    private static final int AREA_SIZE = 16;

    private RegionInfoMessage() {
    }

    /** The request: argsz (unsigned) and index. */
    public record Request(long argsz, int index) {
    }

    public static Request decodeRequest(ByteBuffer p) {
        Payloads.requireAtLeast(p, SIZE, "DEVICE_GET_REGION_INFO");
        long argsz = Integer.toUnsignedLong(p.getInt(p.position()));
        Payloads.requireArgsz(argsz, SIZE, "DEVICE_GET_REGION_INFO");
        return new Request(argsz, p.getInt(p.position() + 8));
    }

    /** The fixed part of a reply (client side and the trace); the capability chain is not decoded here. */
    public record Reply(long argsz, int flags, int index, int capOffset, long size, long offset) {
    }

    public static Reply decodeReply(ByteBuffer p) {
        Payloads.requireAtLeast(p, SIZE, "DEVICE_GET_REGION_INFO reply");
        int b = p.position();
        return new Reply(Integer.toUnsignedLong(p.getInt(b)), p.getInt(b + 4), p.getInt(b + 8), p.getInt(b + 12),
                p.getLong(b + 16), p.getLong(b + 24));
    }

    /** Bytes the full answer needs, capabilities included. */
    public static int fullSize(RegionInfo info) {
        return info.mappable() ? SIZE + CAP_HEADER + AREA_SIZE * info.sparseAreas().size() : SIZE;
    }

    /** Whether a reply to a request of this argsz carries the capability chain (and so the fd). */
    public static boolean carriesCapabilities(RegionInfo info, long requestArgsz) {
        return info.mappable() && requestArgsz >= fullSize(info);
    }

    /** Writes the reply at the buffer's position: the full answer or its first 32 bytes. */
    public static void encodeReply(ByteBuffer out, RegionInfo info, long requestArgsz) {
        int full = fullSize(info);
        boolean caps = carriesCapabilities(info, requestArgsz);
        int flags = (info.readable() ? FLAG_READ : 0) | (info.writable() ? FLAG_WRITE : 0)
                | (info.mappable() ? FLAG_MMAP : 0) | (caps ? FLAG_CAPS : 0);
        out.putInt(full).putInt(flags).putInt(info.index()).putInt(caps ? SIZE : 0)
                .putLong(info.size()).putLong(info.mappable() ? info.mmapOffset() : 0);
        if (caps) {
            out.putShort((short) CAP_SPARSE_MMAP).putShort((short) CAP_SPARSE_MMAP_VERSION).putInt(0)
                    .putInt(info.sparseAreas().size()).putInt(0);
            for (SparseArea area : info.sparseAreas()) {
                out.putLong(area.offset()).putLong(area.size());
            }
        }
    }
}
