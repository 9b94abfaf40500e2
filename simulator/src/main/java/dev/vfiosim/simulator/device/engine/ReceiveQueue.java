package dev.vfiosim.simulator.device.engine;

/**
 * A receive queue: a ring of WQEs naming empty buffers, a doorbell record (u32 producer counter
 * written by the driver) that the device re-reads whenever it runs out of known buffers, and the CQ
 * for its completions. Engine thread only.
 */
final class ReceiveQueue {
    final int number;
    final RingGeometry ring;
    final int completionQueue;
    final long doorbellRecord;
    final WorkCounters counters = new WorkCounters();
    int consumer;
    int knownProducer;

    ReceiveQueue(int number, RingGeometry ring, int completionQueue, long doorbellRecord) {
        this.number = number;
        this.ring = ring;
        this.completionQueue = completionQueue;
        this.doorbellRecord = doorbellRecord;
    }

    ReceiveQueueState state() {
        return new ReceiveQueueState(number, ring.iova(), ring.logSize(), completionQueue, doorbellRecord, consumer,
                knownProducer, counters.snapshot());
    }

    static ReceiveQueue restore(ReceiveQueueState s) {
        ReceiveQueue q = new ReceiveQueue(s.number(), new RingGeometry(s.ringIova(), s.logSize(), WorkQueueEntry.SIZE),
                s.completionQueue(), s.doorbellRecordIova());
        q.consumer = s.consumer();
        q.knownProducer = s.knownProducer();
        q.counters.restore(s.counters());
        return q;
    }
}
