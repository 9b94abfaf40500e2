package dev.vfiosim.simulator.dma;

/**
 * Hears of the client's DMA mappings as they come and go, in order, on the thread that handles
 * the command (libvfio-user's dma_register / dma_unregister callbacks). For a device that keeps its
 * own table of guest memory regions; most devices just use {@link Dma} by IOVA and need none.
 */
public interface DmaMappingListener {
    /** A DMA_MAP succeeded: {@code [iova, iova + size)} with the client's protection. */
    void mapped(long iova, long size, boolean readable, boolean writable);

    /** A mapping is gone: an exact or ALL DMA_UNMAP, or the client's departure. */
    void unmapped(long iova, long size);

    /** Hears nothing. */
    DmaMappingListener NONE = new DmaMappingListener() {
        @Override
        public void mapped(long iova, long size, boolean readable, boolean writable) {
        }

        @Override
        public void unmapped(long iova, long size) {
        }
    };
}
