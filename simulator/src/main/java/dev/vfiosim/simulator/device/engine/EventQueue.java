package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.dma.DmaFaultException;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event queue: a ring of EQEs in guest memory and the MSI-X vector raised for each EQE written.
 * The driver reports its consumer index through the EQ doorbell; an EQE that would overwrite one the
 * driver has not consumed is not written (counted as an overrun). Engine thread only.
 */
final class EventQueue {
    private static final Logger LOG = LoggerFactory.getLogger(EventQueue.class);
    /** The driver reports the consumer counter's low 24 bits. */
    static final int CONSUMER_BITS = 24;
    static final int CONSUMER_MASK = (1 << CONSUMER_BITS) - 1;

    final int number;
    final RingGeometry ring;
    final int vector;
    final boolean commandEvents;
    int producer;
    int consumer;
    long events;
    long overruns;
    long dmaFaults;

    EventQueue(int number, RingGeometry ring, int vector, boolean commandEvents) {
        this.number = number;
        this.ring = ring;
        this.vector = vector;
        this.commandEvents = commandEvents;
    }

    /** Takes the low 24 bits the driver wrote to the EQ doorbell as the new consumer counter. */
    void consumerReported(int low24) {
        consumer += (low24 - consumer) & CONSUMER_MASK;
    }

    /** Writes one EQE and raises the vector, unless the ring is full or the write faults. */
    void post(DeviceDma dma, int type, int data, IntConsumer fire) {
        if (producer - consumer >= ring.entries()) {
            overruns++;
            LOG.warn("EQ {} overrun: EQE type 0x{} dropped (producer {}, consumer {})", number, Integer.toHexString(type),
                    producer, consumer);
            return;
        }
        long at = ring.slotAddress(producer);
        try {
            new EventQueueEntry(type, data, ring.phase(producer)).encodeBody(dma.scratch());
            dma.write(at, dma.scratch().position(0).limit(EventQueueEntry.OWNER));
            dma.writeByte(at + EventQueueEntry.OWNER, (byte) ring.phase(producer));
            events++;
            fire.accept(vector);
        } catch (DmaFaultException e) {
            dmaFaults++;
            LOG.debug("EQ {}: {}", number, e.getMessage());
        }
        producer++;
    }

    EventQueueState state() {
        return new EventQueueState(number, ring.iova(), ring.logSize(), vector, commandEvents, producer, consumer, events,
                overruns, dmaFaults);
    }

    static EventQueue restore(EventQueueState s) {
        EventQueue q = new EventQueue(s.number(), new RingGeometry(s.ringIova(), s.logSize(), EventQueueEntry.SIZE),
                s.msixVector(), s.commandEvents());
        q.producer = s.producer();
        q.consumer = s.consumer();
        q.events = s.events();
        q.overruns = s.overruns();
        q.dmaFaults = s.dmaFaults();
        return q;
    }
}
