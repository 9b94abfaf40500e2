package dev.vfiosim.simulator.device.engine;

import java.util.List;

/**
 * An EQ's context as a migration stream carries it: its guest pages (as CREATE_EQ listed them:
 * the VMM migrates the memory, the stream only the references), geometry, event mask, vector, UAR and the free-running u32 counters.
 */
public record EventQueueState(int number, List<GuestPage> pages, int logPageSize, int logSize, int msixVector, long eventMask,
        int uar, int producer, int consumer, boolean armed, long events, long overruns, long dmaFaults) {
}
