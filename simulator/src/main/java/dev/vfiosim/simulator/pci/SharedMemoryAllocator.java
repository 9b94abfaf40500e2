package dev.vfiosim.simulator.pci;

/** Makes the {@link SharedMemory} a device needs for its mappable regions; provided by whoever serves it. */
@FunctionalInterface
public interface SharedMemoryAllocator {
    SharedMemory allocate(String name, int size);

    SharedMemoryAllocator HEAP = (name, size) -> SharedMemory.onHeap(size);
}
