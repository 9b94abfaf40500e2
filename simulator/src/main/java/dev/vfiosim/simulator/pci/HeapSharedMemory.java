package dev.vfiosim.simulator.pci;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

final class HeapSharedMemory implements SharedMemory {
    private final ByteBuffer memory;

    HeapSharedMemory(int size) {
        this.memory = ByteBuffer.allocate(size);
    }

    @Override
    public ByteBuffer buffer() {
        return memory.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long size() {
        return memory.capacity();
    }

    @Override
    public void close() {
    }
}
