package dev.vfiosim.simulator.device.engine;

/** An EQ's context as a migration stream carries it (counters are free-running u32 values). */
public record EventQueueState(int number, long ringIova, int logSize, int msixVector, boolean commandEvents,
        int producer, int consumer, long events, long overruns, long dmaFaults) {
}
