package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;

/**
 * A small stateful part of the device (command interface, a queue, counters) that saves and loads
 * its own record, QEMU VMState style: the layout lives with the component, the stream only frames
 * it. Adding a field bumps {@link #version()}; {@link #stage} must still read every older version.
 * Loading is two-phase: {@link #stage} parses into a staging copy, {@link #commit()} applies it,
 * {@link #discard()} forgets it.
 */
public interface StateRecord {
    /** The record tag, unique in the device and never 0 (END). */
    int tag();

    /** The record's name in log lines and errors. */
    default String name() {
        return "tag " + tag();
    }

    /** The layout version this code writes and the newest it reads. */
    int version();

    /** Optional records are skipped by readers that do not know them, and may be absent. */
    boolean optional();

    /** Writes the component's current state. */
    void write(PayloadWriter out);

    /**
     * Parses a payload of the given version (little-endian buffer, exactly the payload) into
     * staging, replacing anything staged before. Throws {@link RecordLoader.Rejected} (or lets a
     * buffer underflow escape) when the payload is malformed.
     */
    void stage(int version, ByteBuffer payload);

    void commit();

    void discard();

    /** The current state as an outgoing record. */
    default OutgoingRecord snapshot() {
        PayloadWriter out = new PayloadWriter();
        write(out);
        return new OutgoingRecord(tag(), optional(), version(), RecordPayload.of(out.toByteArray()));
    }
}
