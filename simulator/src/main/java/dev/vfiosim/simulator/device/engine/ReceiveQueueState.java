package dev.vfiosim.simulator.device.engine;

/** An RQ's context as a migration stream carries it. */
public record ReceiveQueueState(int number, long ringIova, int logSize, int completionQueue, long doorbellRecordIova,
        int consumer, int knownProducer, QueueCounters counters) {
}
