package dev.vfiosim.simulator.device.engine;

/** A CQ's context as a migration stream carries it. */
public record CompletionQueueState(int number, long ringIova, int logSize, int eventQueue, long doorbellRecordIova,
        int producer, int knownConsumer, boolean armed, long completions, long dmaFaults) {
}
