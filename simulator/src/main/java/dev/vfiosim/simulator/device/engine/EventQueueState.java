package dev.vfiosim.simulator.device.engine;

import java.util.List;

/**
 * An EQ's context as a migration stream carries it: its guest pages (as CREATE_EQ listed them:
 * the VMM migrates the memory, the stream only the references), geometry, event mask, vector, UAR and the free-running u32 counters.
 */
public record EventQueueState(int number, List<GuestPage> pages, int logPageSize, int logSize, int msixVector, long eventMask,
        int uar, int producer, int consumer, boolean armed, long events, long overruns, long dmaFaults) {
    /** A stream is hostile too: an EQ that could not have been created is refused when staged. */
    public EventQueueState {
        if (number < 0 || number >= HcaCapabilities.LIMIT_EQS || logSize < 1 || logSize > HcaCapabilities.LIMIT_LOG_EQ_SIZE
                || logPageSize < 0 || logPageSize > EqContext.MAX_LOG_PAGE_SIZE
                || pages.size() != EqContext.pagesNeeded(logSize, logPageSize)) {
            throw new IllegalArgumentException("EQ " + number + " of 2^" + logSize + " EQEs in " + pages.size()
                    + " pages of 4 KiB << " + logPageSize + " cannot exist");
        }
        pages = List.copyOf(pages);
    }
}
