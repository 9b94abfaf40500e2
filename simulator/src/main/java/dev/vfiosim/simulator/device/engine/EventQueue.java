package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.dma.DmaFaultException;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An mlx5 event queue: 2^logSize EQEs of 64 bytes in the guest pages its CREATE_EQ listed (the
 * ring need not be contiguous: entry i is at page (i*64 / page size), as mlx5's fragmented
 * buffers are), the event types it takes (CREATE_EQ's event bitmask), its MSI-X vector and UAR.
 * The driver reports its consumer counter through the UAR's EQ doorbell; an EQE that would
 * overwrite one the driver has not consumed is not written (counted as an overrun). Every EQE
 * written raises the vector (arming is recorded, but an unarmed EQ still interrupts: a spurious
 * interrupt costs a driver nothing, a lost one hangs it). Engine thread only.
 */
final class EventQueue {
    private static final Logger LOG = LoggerFactory.getLogger(EventQueue.class);
    /** The driver reports the consumer counter's low 24 bits. */
    static final int CONSUMER_BITS = 24;
    static final int CONSUMER_MASK = (1 << CONSUMER_BITS) - 1;

    final int number;
    final long[] pages;
    final int logPageSize;
    final int logSize;
    final int vector;
    final long eventMask;
    final int uar;
    int producer;
    int consumer;
    boolean armed;
    long events;
    long overruns;
    long dmaFaults;

    EventQueue(int number, long[] pages, int logPageSize, int logSize, int vector, long eventMask, int uar) {
        this.number = number;
        this.pages = pages.clone();
        this.logPageSize = logPageSize;
        this.logSize = logSize;
        this.vector = vector;
        this.eventMask = eventMask;
        this.uar = uar;
    }

    boolean takes(int eventType) {
        return eventType < Long.SIZE && (eventMask >>> eventType & 1) != 0;
    }

    int entries() {
        return 1 << logSize;
    }

    /** Guest address of the EQE at free-running index {@code counter}. */
    long slotAddress(int counter) {
        long offset = (long) (counter & entries() - 1) * EventQueueEntry.SIZE;
        int shift = EqContext.PAGE_SHIFT + logPageSize;
        return pages[(int) (offset >>> shift)] + (offset & (1L << shift) - 1);
    }

    /** Takes the low 24 bits the driver wrote to the EQ doorbell as the new consumer counter. */
    void consumerReported(int low24, boolean arm) {
        consumer += (low24 - consumer) & CONSUMER_MASK;
        armed |= arm;
    }

    /** Writes one EQE (one data word at {@code dataAt}) and raises the vector, unless the ring is full or the write faults. */
    void post(DeviceDma dma, int type, int dataAt, int data, IntConsumer fire) {
        if (producer - consumer >= entries()) {
            overruns++;
            LOG.warn("EQ {} overrun: EQE type 0x{} dropped (producer {}, consumer {})", number, Integer.toHexString(type),
                    producer, consumer);
            return;
        }
        long at = slotAddress(producer);
        try {
            EventQueueEntry.encodeBody(dma.scratch(), type, dataAt, data);
            dma.write(at, dma.scratch().position(0).limit(EventQueueEntry.OWNER));
            dma.writeByte(at + EventQueueEntry.OWNER, (byte) EventQueueEntry.owner(producer, logSize));
            events++;
            armed = false;
            fire.accept(vector);
        } catch (DmaFaultException e) {
            dmaFaults++;
            LOG.debug("EQ {}: {}", number, e.getMessage());
        }
        producer++;
    }

    EventQueueState state() {
        return new EventQueueState(number, GuestPage.of(pages), logPageSize, logSize, vector, eventMask, uar, producer,
                consumer, armed, events, overruns, dmaFaults);
    }

    static EventQueue restore(EventQueueState s) {
        EventQueue q = new EventQueue(s.number(), GuestPage.iovas(s.pages()), s.logPageSize(), s.logSize(), s.msixVector(),
                s.eventMask(), s.uar());
        q.producer = s.producer();
        q.consumer = s.consumer();
        q.armed = s.armed();
        q.events = s.events();
        q.overruns = s.overruns();
        q.dmaFaults = s.dmaFaults();
        return q;
    }
}
