package dev.vfiosim.simulator.device.engine;

/**
 * A send queue: a ring of WQEs naming packets in guest memory, a doorbell record (u32 producer
 * counter written by the driver), the CQ for its completions and, in this loopback model, the RQ
 * its packets arrive on. Engine thread only.
 */
final class SendQueue {
    final int number;
    final RingGeometry ring;
    final int completionQueue;
    final int loopbackReceiveQueue;
    final long doorbellRecord;
    final WorkCounters counters = new WorkCounters();
    int consumer;

    SendQueue(int number, RingGeometry ring, int completionQueue, int loopbackReceiveQueue, long doorbellRecord) {
        this.number = number;
        this.ring = ring;
        this.completionQueue = completionQueue;
        this.loopbackReceiveQueue = loopbackReceiveQueue;
        this.doorbellRecord = doorbellRecord;
    }

    SendQueueState state() {
        return new SendQueueState(number, ring.iova(), ring.logSize(), completionQueue, loopbackReceiveQueue, doorbellRecord,
                consumer, counters.snapshot());
    }

    static SendQueue restore(SendQueueState s) {
        SendQueue q = new SendQueue(s.number(), new RingGeometry(s.ringIova(), s.logSize(), WorkQueueEntry.SIZE),
                s.completionQueue(), s.loopbackReceiveQueue(), s.doorbellRecordIova());
        q.consumer = s.consumer();
        q.counters.restore(s.counters());
        return q;
    }
}
