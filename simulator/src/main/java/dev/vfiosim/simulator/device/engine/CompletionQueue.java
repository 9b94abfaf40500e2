package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.dma.DmaFaultException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A completion queue: a ring of CQEs in guest memory, a doorbell record (u32) where the driver
 * keeps its consumer counter, and the EQ that hears about it. Arming (CQ doorbell) asks for one
 * completion event: the next CQE, or at once if unconsumed CQEs are already there. The device never
 * overwrites an unconsumed CQE: work that needs a full CQ waits (see {@link #hasRoom}). Engine
 * thread only.
 */
final class CompletionQueue {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionQueue.class);

    final int number;
    final RingGeometry ring;
    final int eventQueue;
    final long doorbellRecord;
    int producer;
    int knownConsumer;
    boolean armed;
    long completions;
    long dmaFaults;

    CompletionQueue(int number, RingGeometry ring, int eventQueue, long doorbellRecord) {
        this.number = number;
        this.ring = ring;
        this.eventQueue = eventQueue;
        this.doorbellRecord = doorbellRecord;
    }

    /** Whether {@code count} more CQEs fit, re-reading the driver's consumer counter if they seem not to. */
    boolean hasRoom(DeviceDma dma, int count) {
        if (producer - knownConsumer + count <= ring.entries()) {
            return true;
        }
        refreshConsumer(dma);
        return producer - knownConsumer + count <= ring.entries();
    }

    /** Reads the doorbell record; a value that would put more CQEs outstanding than written is ignored. */
    void refreshConsumer(DeviceDma dma) {
        try {
            int reported = dma.readInt(doorbellRecord);
            int outstanding = producer - reported;
            if (outstanding >= 0 && outstanding <= ring.entries()) {
                knownConsumer = reported;
            } else {
                LOG.debug("CQ {}: doorbell record consumer {} is not within the {} CQEs written", number, reported, producer);
            }
        } catch (DmaFaultException e) {
            dmaFaults++;
            LOG.debug("CQ {} doorbell record: {}", number, e.getMessage());
        }
    }

    /**
     * Writes one CQE (body, then op_own). Returns true when the CQ was armed, so one completion event
     * is due (the CQ is disarmed); the caller posts it on {@link #eventQueue}.
     */
    boolean post(DeviceDma dma, int byteCount, int queueNumber, int wqeCounter, int syndrome, int opcode, long timestamp) {
        long at = ring.slotAddress(producer);
        CompletionQueueEntry cqe = new CompletionQueueEntry(byteCount, queueNumber, wqeCounter, syndrome, timestamp, opcode,
                ring.phase(producer));
        try {
            cqe.encodeBody(dma.scratch());
            dma.write(at, dma.scratch().position(0).limit(CompletionQueueEntry.OP_OWN));
            dma.writeByte(at + CompletionQueueEntry.OP_OWN, cqe.opOwn());
            completions++;
        } catch (DmaFaultException e) {
            dmaFaults++;
            LOG.debug("CQ {}: {}", number, e.getMessage());
        }
        producer++;
        return disarm();
    }

    /** CQ doorbell: arm; returns true if an event is due at once (unconsumed CQEs are waiting). */
    boolean arm(DeviceDma dma) {
        armed = true;
        refreshConsumer(dma);
        return producer != knownConsumer && disarm();
    }

    private boolean disarm() {
        boolean wasArmed = armed;
        armed = false;
        return wasArmed;
    }

    CompletionQueueState state() {
        return new CompletionQueueState(number, ring.iova(), ring.logSize(), eventQueue, doorbellRecord, producer,
                knownConsumer, armed, completions, dmaFaults);
    }

    static CompletionQueue restore(CompletionQueueState s) {
        CompletionQueue q = new CompletionQueue(s.number(), new RingGeometry(s.ringIova(), s.logSize(),
                CompletionQueueEntry.SIZE), s.eventQueue(), s.doorbellRecordIova());
        q.producer = s.producer();
        q.knownConsumer = s.knownConsumer();
        q.armed = s.armed();
        q.completions = s.completions();
        q.dmaFaults = s.dmaFaults();
        return q;
    }
}
