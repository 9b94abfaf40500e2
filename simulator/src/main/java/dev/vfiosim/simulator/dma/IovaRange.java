package dev.vfiosim.simulator.dma;

/** [iova, iova + length) of the IOVA space; length is never 0 and the end never wraps past 2^64. */
public record IovaRange(long iova, long length) {
    public IovaRange {
        if (length == 0 || Long.compareUnsigned(iova + length - 1, iova) < 0) {
            throw new IllegalArgumentException("bad IOVA range 0x" + Long.toHexString(iova) + " +0x" + Long.toHexString(length));
        }
    }

    /** The last address inside the range (inclusive, so a range ending at 2^64 is representable). */
    public long last() {
        return iova + length - 1;
    }

    public boolean overlaps(IovaRange other) {
        return Long.compareUnsigned(iova, other.last()) <= 0 && Long.compareUnsigned(other.iova, last()) <= 0;
    }
}
