package dev.vfiosim.simulator.device.engine;

/** An SQ's context as a migration stream carries it. */
public record SendQueueState(int number, long ringIova, int logSize, int completionQueue, int loopbackReceiveQueue,
        long doorbellRecordIova, int consumer, QueueCounters counters) {
}
