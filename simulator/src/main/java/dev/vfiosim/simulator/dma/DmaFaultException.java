package dev.vfiosim.simulator.dma;

/**
 * A DMA the IOMMU would have blocked: unmapped IOVA, a range crossing the end of a mapping, or a
 * write to a read-only mapping. The device reports it the way hardware reports a DMA fault; it
 * never reaches guest memory.
 */
public final class DmaFaultException extends RuntimeException {
    private final long iova;
    private final long length;
    private final boolean write;
    private final String why;

    public DmaFaultException(long iova, long length, boolean write, String why) {
        super("DMA " + (write ? "write" : "read") + " of " + length + " bytes at IOVA 0x" + Long.toHexString(iova)
                + " faulted: " + why);
        this.iova = iova;
        this.length = length;
        this.write = write;
        this.why = why;
    }

    /** Why the access faulted, without the access itself (which the other accessors give). */
    public String why() {
        return why;
    }

    public long iova() {
        return iova;
    }

    public long length() {
        return length;
    }

    public boolean isWrite() {
        return write;
    }
}
