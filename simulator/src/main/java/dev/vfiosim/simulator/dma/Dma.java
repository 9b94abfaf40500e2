package dev.vfiosim.simulator.dma;

import java.nio.ByteBuffer;

/**
 * The device's only way to guest memory: reads and writes by IOVA through whatever the VMM mapped.
 * The server implements it over DMA_MAP'd memory (or DMA_READ/DMA_WRITE messages); a write marks
 * the dirty pages it touched. An access that is not entirely inside a mapping with the needed
 * permission throws {@link DmaFaultException} and touches nothing.
 */
public interface Dma {
    /** Copies {@code dst.remaining()} bytes from guest memory at {@code iova} into {@code dst}, advancing it. */
    void read(long iova, ByteBuffer dst);

    /** Copies {@code src.remaining()} bytes from {@code src} to guest memory at {@code iova}, advancing it. */
    void write(long iova, ByteBuffer src);

    /**
     * The same guest memory reached through DMA_READ / DMA_WRITE messages to the client even where
     * the client passed an fd (libvfio-user's vfu_sgl_read/write as opposed to direct access), cut
     * into pieces of the client's max_data_xfer_size. Only the server can send messages; any other
     * port answers itself.
     */
    default Dma viaMessages() {
        return this;
    }

    /** Nothing mapped: every access faults. */
    Dma NONE = new Dma() {
        @Override
        public void read(long iova, ByteBuffer dst) {
            throw new DmaFaultException(iova, dst.remaining(), false, "no DMA mappings");
        }

        @Override
        public void write(long iova, ByteBuffer src) {
            throw new DmaFaultException(iova, src.remaining(), true, "no DMA mappings");
        }
    };
}
