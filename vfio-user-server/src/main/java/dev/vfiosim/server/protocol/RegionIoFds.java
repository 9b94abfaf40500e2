package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DEVICE_GET_REGION_IO_FDS: which parts of a region have ioeventfds. This device offers none, so
 * the reply is always the 16-byte header with count 0.
 *
 * <pre>
 *  off size field
 *    0  u32 argsz   request >= 16; reply 16 + count x entry
 *    4  u32 flags   must be 0
 *    8  u32 index   region
 *   12  u32 count   request must be 0; reply: sub-regions
 * </pre>
 */
public record RegionIoFds(long argsz, int flags, int index, int count) {
    public static final int SIZE = 16;
    /** libvfio-user refuses larger argsz values; so do we. */
    public static final long MAX_ARGSZ = 1 << 20;

    public static RegionIoFds decode(ByteBuffer p) {
        Payloads.requireAtLeast(p, SIZE, "DEVICE_GET_REGION_IO_FDS");
        int b = p.position();
        RegionIoFds r = new RegionIoFds(Integer.toUnsignedLong(p.getInt(b)), p.getInt(b + 4), p.getInt(b + 8), p.getInt(b + 12));
        Payloads.requireArgsz(r.argsz, SIZE, "DEVICE_GET_REGION_IO_FDS");
        if (r.argsz > MAX_ARGSZ) {
            throw ProtocolException.invalid("DEVICE_GET_REGION_IO_FDS argsz " + r.argsz + " exceeds " + MAX_ARGSZ);
        }
        if (r.flags != 0 || r.count != 0) {
            throw ProtocolException.invalid("DEVICE_GET_REGION_IO_FDS flags and count must be 0, got flags=0x"
                    + Integer.toHexString(r.flags) + " count=" + r.count);
        }
        return r;
    }

    public static void encodeReply(ByteBuffer out, int index) {
        out.putInt(SIZE).putInt(0).putInt(index).putInt(0);
    }
}
