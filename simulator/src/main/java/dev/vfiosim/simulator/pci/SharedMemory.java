package dev.vfiosim.simulator.pci;

import java.nio.ByteBuffer;

/**
 * Memory the device shares with the VMM so that the VMM can mmap part of a region. The server backs
 * it with a memfd and hands that fd out with DEVICE_GET_REGION_INFO; in pure unit tests it is plain
 * heap memory. The device reads and writes it through {@link #buffer()}, which both sides see
 * coherently.
 */
public interface SharedMemory extends AutoCloseable {
    /** A little-endian view of the whole memory, positioned at 0; each call returns a fresh view. */
    ByteBuffer buffer();

    long size();

    @Override
    void close();

    /** Heap-backed memory, for a device that is not served to anyone. */
    static SharedMemory onHeap(int size) {
        return new HeapSharedMemory(size);
    }
}
