package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * The fixed part of REGION_READ and REGION_WRITE, read in place (hot path: no object per access).
 *
 * <pre>
 *  off size field
 *    0  u64 offset   within the region
 *    8  u32 region   region index
 *   12  u32 count    bytes to transfer
 *   16  var data     WRITE request and READ reply only
 * </pre>
 */
public final class RegionAccess {
    public static final int SIZE = 16;

    private RegionAccess() {
    }

    public static long offset(ByteBuffer p) {
        return p.getLong(p.position());
    }

    public static int region(ByteBuffer p) {
        return p.getInt(p.position() + 8);
    }

    /** The count as an unsigned value. */
    public static long count(ByteBuffer p) {
        return Integer.toUnsignedLong(p.getInt(p.position() + 12));
    }

    public static void write(ByteBuffer out, long offset, int region, int count) {
        out.putLong(offset).putInt(region).putInt(count);
    }
}
