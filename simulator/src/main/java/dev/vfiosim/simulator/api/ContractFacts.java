package dev.vfiosim.simulator.api;

import java.util.List;

/**
 * What a device tells the migration-contract audit (docs/audit.md) about itself that the server
 * cannot see in the messages: which guest memory its own state refers to (after a resume these
 * references came from the stream, while the memory behind them must come from the VMM's DMA_MAP),
 * and which register writes are doorbells. An optional part of the device API: a
 * {@link DeviceModel} (or a {@code VfioDevice}) that keeps guest addresses in its state implements
 * it; for one that does not, the rules that need it are not decided.
 */
public interface ContractFacts {
    /**
     * The guest ranges the device's state refers to now (command queue, rings and doorbell records
     * of its queues, event queue pages, pages given to its firmware), each named for a report.
     */
    List<GuestReference> guestMemoryReferences();

    /** Whether a write at {@code offset} of region {@code region} rings a doorbell (starts device work). */
    boolean isDoorbell(int region, long offset);

    /** {@code length} bytes of guest memory at {@code iova}, used by {@code what} ("EQ 0 page 1", "SQ 2 ring"). */
    record GuestReference(String what, long iova, long length) {
    }
}
