package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * REGION_WRITE_MULTI: a batch of small posted writes (QEMU sends up to 200, NO_REPLY).
 *
 * <pre>
 *  off size field
 *    0  u64 wr_cnt      number of entries
 *    8  24 x wr_cnt     entries:  +0 u64 offset, +8 u32 region, +12 u32 count (&lt;= 8), +16 u8[8] data
 * </pre>
 * Reply (when asked for): u64 writes completed.
 */
public final class RegionWriteMulti {
    public static final int FIXED_SIZE = 8;
    public static final int ENTRY_SIZE = 24;
    public static final int MAX_DATA = 8;
    public static final int DATA_OFFSET = 16;

    private RegionWriteMulti() {
    }

    /** Validates the framing and returns the number of entries. */
    public static int entryCount(ByteBuffer p) {
        Payloads.requireAtLeast(p, FIXED_SIZE, "REGION_WRITE_MULTI");
        long count = p.getLong(p.position());
        long expected = FIXED_SIZE + count * ENTRY_SIZE;
        if (count < 0 || count > (p.remaining() - FIXED_SIZE) / ENTRY_SIZE || p.remaining() != expected) {
            throw ProtocolException.invalid("REGION_WRITE_MULTI announces " + Long.toUnsignedString(count)
                    + " entries but its payload is " + p.remaining() + " bytes");
        }
        return (int) count;
    }

    /** Position of entry {@code i} in the payload. */
    public static int entryPosition(ByteBuffer p, int i) {
        return p.position() + FIXED_SIZE + i * ENTRY_SIZE;
    }
}
