package dev.vfiosim.simulator.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample's own table of the client's DMA regions, filled by libvfio-user's register and
 * unregister callbacks: 96 slots, each taken in registration order by the first free one (free
 * means base 0 <em>and</em> length 0, so a region at IOVA 0 occupies its slot). An exact duplicate
 * registration takes a second slot; an unregistration clears every slot with that base and length.
 * The sample addresses guest memory by slot index, not by address.
 */
public final class DmaSlots {
    private static final Logger LOG = LoggerFactory.getLogger(DmaSlots.class);
    public static final int COUNT = 96;

    /** One registered region; {@code writable} is the protection the client mapped it with. */
    public record Slot(long base, long length, boolean readable, boolean writable) {
        boolean free() {
            return base == 0 && length == 0;
        }
    }

    private static final Slot FREE = new Slot(0, 0, false, false);

    /** The 97th simultaneous region: upstream ends the process there ("slots full"). */
    public static final class SlotsFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SlotsFullException(String why) {
            super(why);
        }
    }

    private final Slot[] slots = new Slot[COUNT];

    public DmaSlots() {
        java.util.Arrays.fill(slots, FREE);
    }

    /** The register callback; returns the slot taken. */
    public synchronized int register(long base, long length, boolean readable, boolean writable) {
        for (int i = 0; i < COUNT; i++) {
            if (slots[i].free()) {
                slots[i] = new Slot(base, length, readable, writable);
                LOG.debug("dma region {}: 0x{} +0x{}", i, Long.toHexString(base), Long.toHexString(length));
                return i;
            }
        }
        throw new SlotsFullException("Failed to add dma region, slots full (" + COUNT + ")");
    }

    /** The unregister callback; returns how many slots it cleared. */
    public synchronized int unregister(long base, long length) {
        int cleared = 0;
        for (int i = 0; i < COUNT; i++) {
            if (slots[i].base() == base && slots[i].length() == length && !slots[i].free()) {
                slots[i] = FREE;
                cleared++;
            }
        }
        return cleared;
    }

    /** Clears every slot (the client left and libvfio-user removed all its regions). */
    public synchronized void clear() {
        java.util.Arrays.fill(slots, FREE);
    }

    /** The slot's region; a free slot answers base 0 and length 0, as the sample's table does. */
    public synchronized Slot slot(int index) {
        return slots[index];
    }
}
