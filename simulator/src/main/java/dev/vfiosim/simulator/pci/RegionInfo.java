package dev.vfiosim.simulator.pci;

import java.util.List;
import java.util.Optional;

/**
 * What DEVICE_GET_REGION_INFO reports for one region. A region of size 0 is not implemented. A
 * mappable region names the {@link SharedMemory} behind it (the server passes its fd) and the parts
 * of the region that may be mapped; {@code mmapOffset} is where the region starts inside that memory.
 */
public record RegionInfo(
        int index,
        long size,
        boolean readable,
        boolean writable,
        List<SparseArea> sparseAreas,
        Optional<SharedMemory> backing,
        long mmapOffset) {

    public RegionInfo {
        sparseAreas = List.copyOf(sparseAreas);
    }

    public static RegionInfo absent(int index) {
        return new RegionInfo(index, 0, false, false, List.of(), Optional.empty(), 0);
    }

    public static RegionInfo trapped(int index, long size) {
        return new RegionInfo(index, size, true, true, List.of(), Optional.empty(), 0);
    }

    public boolean mappable() {
        return backing.isPresent() && !sparseAreas.isEmpty();
    }
}
