package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.dma.DmaFaultException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datapath: each send WQE's packet is read from guest memory and written into the next buffer
 * of the SQ's loopback RQ; a CQE is written for both sides and an armed CQ gets a completion event
 * on its EQ. A DMA fault is reported as hardware does, with an error CQE (syndrome local protection)
 * and a counter, and the queue goes on with its next WQE. Engine thread only.
 */
final class Loopback {
    private static final Logger LOG = LoggerFactory.getLogger(Loopback.class);

    /** How one pass over an SQ ended. */
    enum Progress {
        /** Every posted WQE is done. */
        DONE,
        /** A CQ is full: the SQ waits for a CQ doorbell. */
        STALLED,
        /** A pause was requested: the SQ continues after resume. */
        STOPPED
    }

    private final QueueContexts queues;
    private final DeviceDma dma;
    private final IntConsumer fire;
    private final LongSupplier timestamp;
    private final ByteBuffer packet = ByteBuffer.allocateDirect(HcaCapabilities.LIMIT_PACKET);

    Loopback(QueueContexts queues, DeviceDma dma, IntConsumer fire, LongSupplier timestamp) {
        this.queues = queues;
        this.dma = dma;
        this.fire = fire;
        this.timestamp = timestamp;
    }

    /** Sends every WQE the SQ's doorbell record says is posted, one WQE per unit of work. */
    Progress service(SendQueue sq, BooleanSupplier pauseRequested) {
        int producer;
        try {
            producer = dma.readInt(sq.doorbellRecord);
        } catch (DmaFaultException e) {
            fault(sq.counters, "SQ " + sq.number + " doorbell record", e);
            return Progress.DONE;
        }
        int posted = producer - sq.consumer;
        if (posted < 0 || posted > sq.ring.entries()) {
            LOG.warn("SQ {}: doorbell record producer {} is not within {} WQEs of the consumer {}; ignored", sq.number, producer,
                    sq.ring.entries(), sq.consumer);
            return Progress.DONE;
        }
        // the create/destroy rules keep an SQ's CQ, RQ and the RQ's CQ alive as long as the SQ
        CompletionQueue sendCq = queues.cq(sq.completionQueue);
        ReceiveQueue rq = queues.rq(sq.loopbackReceiveQueue);
        CompletionQueue receiveCq = queues.cq(rq.completionQueue);
        while (sq.consumer != producer) {
            if (pauseRequested.getAsBoolean()) {
                return Progress.STOPPED;
            }
            boolean room = sendCq == receiveCq ? sendCq.hasRoom(dma, 2) : sendCq.hasRoom(dma, 1) && receiveCq.hasRoom(dma, 1);
            if (!room) {
                return Progress.STALLED;
            }
            send(sq, sendCq, rq, receiveCq);
            sq.consumer++;
        }
        return Progress.DONE;
    }

    private void send(SendQueue sq, CompletionQueue sendCq, ReceiveQueue rq, CompletionQueue receiveCq) {
        int counter = sq.consumer;
        WorkQueueEntry wqe;
        try {
            wqe = WorkQueueEntry.decode(dma.read(sq.ring.slotAddress(counter), WorkQueueEntry.SIZE));
        } catch (DmaFaultException e) {
            fault(sq.counters, "SQ " + sq.number + " WQE " + counter, e);
            failSend(sq, sendCq, counter, CompletionQueueEntry.LOCAL_PROTECTION_ERROR);
            return;
        }
        int length = wqe.byteCount();
        if (length <= 0 || length > HcaCapabilities.LIMIT_PACKET) {
            LOG.debug("SQ {} WQE {}: packet length {} is not within 1..{}", sq.number, counter, length, HcaCapabilities.LIMIT_PACKET);
            failSend(sq, sendCq, counter, CompletionQueueEntry.LOCAL_LENGTH_ERROR);
            return;
        }
        packet.clear().limit(length);
        try {
            dma.read(wqe.bufferIova(), packet);
        } catch (DmaFaultException e) {
            fault(sq.counters, "SQ " + sq.number + " packet of WQE " + counter, e);
            failSend(sq, sendCq, counter, CompletionQueueEntry.LOCAL_PROTECTION_ERROR);
            return;
        }
        receive(rq, receiveCq, length);
        sq.counters.countPacket(length);
        complete(sendCq, length, sq.number, counter, 0, CompletionQueueEntry.REQUESTER);
    }

    private void failSend(SendQueue sq, CompletionQueue cq, int counter, int syndrome) {
        sq.counters.drops++;
        complete(cq, 0, sq.number, counter, syndrome, CompletionQueueEntry.REQUESTER_ERROR);
    }

    /** Delivers the packet in {@link #packet} to the RQ's next buffer; no buffer posted means a drop without a CQE. */
    private void receive(ReceiveQueue rq, CompletionQueue cq, int length) {
        if (rq.consumer == rq.knownProducer) {
            refreshProducer(rq);
        }
        if (rq.consumer == rq.knownProducer) {
            rq.counters.drops++;
            return;
        }
        int counter = rq.consumer++;
        WorkQueueEntry buffer;
        try {
            buffer = WorkQueueEntry.decode(dma.read(rq.ring.slotAddress(counter), WorkQueueEntry.SIZE));
            if (length > buffer.byteCount()) {
                rq.counters.drops++;
                complete(cq, 0, rq.number, counter, CompletionQueueEntry.LOCAL_LENGTH_ERROR, CompletionQueueEntry.RESPONDER_ERROR);
                return;
            }
            dma.write(buffer.bufferIova(), packet.position(0).limit(length));
        } catch (DmaFaultException e) {
            fault(rq.counters, "RQ " + rq.number + " WQE " + counter, e);
            rq.counters.drops++;
            complete(cq, 0, rq.number, counter, CompletionQueueEntry.LOCAL_PROTECTION_ERROR, CompletionQueueEntry.RESPONDER_ERROR);
            return;
        }
        rq.counters.countPacket(length);
        complete(cq, length, rq.number, counter, 0, CompletionQueueEntry.RESPONDER_SEND);
    }

    private void refreshProducer(ReceiveQueue rq) {
        try {
            int producer = dma.readInt(rq.doorbellRecord);
            int posted = producer - rq.consumer;
            if (posted >= 0 && posted <= rq.ring.entries()) {
                rq.knownProducer = producer;
            } else {
                LOG.warn("RQ {}: doorbell record producer {} is not within {} WQEs of the consumer {}; ignored", rq.number,
                        producer, rq.ring.entries(), rq.consumer);
            }
        } catch (DmaFaultException e) {
            fault(rq.counters, "RQ " + rq.number + " doorbell record", e);
        }
    }

    private void complete(CompletionQueue cq, int byteCount, int queue, int counter, int syndrome, int opcode) {
        if (cq.post(dma, byteCount, queue, counter, syndrome, opcode, timestamp.getAsLong())) {
            completionEvent(cq);
        }
    }

    /** CQ doorbell: arm the CQ; an event goes out at once if CQEs are waiting. Unknown CQs are ignored. */
    void arm(int cqNumber) {
        CompletionQueue cq = queues.cq(cqNumber);
        if (cq == null) {
            LOG.debug("CQ doorbell for CQ {}, which does not exist; ignored", cqNumber);
        } else if (cq.arm(dma)) {
            completionEvent(cq);
        }
    }

    private void completionEvent(CompletionQueue cq) {
        queues.eq(cq.eventQueue).post(dma, EventQueueEntry.COMPLETION, EventQueueEntry.COMPLETION_CQ, cq.number, fire);
    }

    /** The first fault of a queue is a warning; the rest (an unmapped ring faults on every WQE) are debug. */
    private static void fault(WorkCounters counters, String what, DmaFaultException e) {
        counters.dmaFaults++;
        if (counters.dmaFaults == 1) {
            LOG.warn("{}: {}", what, e.getMessage());
        } else {
            LOG.debug("{}: {}", what, e.getMessage());
        }
    }
}
