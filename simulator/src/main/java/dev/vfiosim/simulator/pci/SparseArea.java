package dev.vfiosim.simulator.pci;

/** A part of a region the client may mmap, as an offset from the region's start and a length. */
public record SparseArea(long offset, long size) {
}
