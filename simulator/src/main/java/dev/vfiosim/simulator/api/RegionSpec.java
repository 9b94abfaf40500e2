package dev.vfiosim.simulator.api;

import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SparseArea;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * One region of the device as it declares it: size, access, the handler of trapped accesses and,
 * optionally, memory the client may mmap. The host checks every access against {@code size},
 * {@code readable} and {@code writable} before calling the handler, so a handler sees only
 * in-range accesses of at least one byte.
 *
 * @param size bytes; a BAR's size as its {@link dev.vfiosim.simulator.pci.BarDescriptor} says
 * @param handler REGION_READ / REGION_WRITE of any part not served through the mapping
 * @param backing memory the client may mmap (its fd goes out with DEVICE_GET_REGION_INFO)
 * @param sparseAreas the parts of the region the client may mmap (offsets from the region's start)
 * @param mmapOffset where the region starts inside {@code backing}
 */
public record RegionSpec(long size, boolean readable, boolean writable, Handler handler,
        Optional<SharedMemory> backing, List<SparseArea> sparseAreas, long mmapOffset) {
    public RegionSpec {
        sparseAreas = List.copyOf(sparseAreas);
        if (size <= 0) {
            throw new IllegalArgumentException("a region has at least one byte, not " + size);
        }
        if (backing.isPresent() != !sparseAreas.isEmpty()) {
            throw new IllegalArgumentException("an mmap backing needs sparse areas and sparse areas a backing");
        }
        for (SparseArea a : sparseAreas) {
            if (a.offset() < 0 || a.size() <= 0 || a.offset() > size - a.size()) {
                throw new IllegalArgumentException("sparse area " + a + " is not inside the region of " + size + " bytes");
            }
        }
    }

    /** A region served only by {@code handler} (every access trapped). */
    public static RegionSpec trapped(long size, Handler handler) {
        return new RegionSpec(size, true, true, handler, Optional.empty(), List.of(), 0);
    }

    /** A region backed by {@code memory} at offset 0, mappable where {@code areas} say, trapped elsewhere. */
    public static RegionSpec mappable(long size, Handler handler, SharedMemory memory, List<SparseArea> areas) {
        return new RegionSpec(size, true, true, handler, Optional.of(memory), areas, 0);
    }

    /**
     * The device's side of REGION_READ / REGION_WRITE. Called on the server's command thread with
     * {@code offset} inside the region and {@code 1 <= remaining() <= size - offset}. A refusal is
     * a {@link dev.vfiosim.simulator.DeviceException} (the client gets its errno).
     */
    public interface Handler {
        /** Fills all of {@code dst.remaining()} from {@code offset} of the region. */
        void read(long offset, ByteBuffer dst);

        /** Consumes all of {@code src.remaining()} at {@code offset} of the region. */
        void write(long offset, ByteBuffer src);
    }
}
