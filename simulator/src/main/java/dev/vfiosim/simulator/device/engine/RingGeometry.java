package dev.vfiosim.simulator.device.engine;

/**
 * Where a ring of fixed-size entries lies in guest memory and how its free-running 32-bit
 * counters map to slots and to the phase (ownership) bit. The device writes phase 1 on the
 * first pass over the ring, 0 on the second, and so on, so a zeroed ring holds no valid entry.
 */
public record RingGeometry(long iova, int logSize, int entrySize) {
    public int entries() {
        return 1 << logSize;
    }

    public long slotAddress(int counter) {
        return iova + (long) (counter & entries() - 1) * entrySize;
    }

    /** The owner bit the device writes for the entry at {@code counter} (the driver expects the same). */
    public int phase(int counter) {
        return (counter >>> logSize & 1) ^ 1;
    }

    public long bytes() {
        return (long) entries() * entrySize;
    }
}
