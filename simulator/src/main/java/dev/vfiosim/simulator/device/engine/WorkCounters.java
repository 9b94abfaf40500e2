package dev.vfiosim.simulator.device.engine;

/** The live counters behind {@link QueueCounters}; engine thread only. */
final class WorkCounters {
    long packets;
    long bytes;
    long drops;
    long dmaFaults;

    QueueCounters snapshot() {
        return new QueueCounters(packets, bytes, drops, dmaFaults);
    }

    void restore(QueueCounters c) {
        packets = c.packets();
        bytes = c.bytes();
        drops = c.drops();
        dmaFaults = c.dmaFaults();
    }

    void clear() {
        restore(QueueCounters.ZERO);
    }

    void countPacket(int length) {
        packets++;
        bytes += length;
    }
}
