package dev.vfiosim.simulator.device.state;

import dev.vfiosim.simulator.migration.PayloadWriter;
import dev.vfiosim.simulator.migration.RecordLoader;
import dev.vfiosim.simulator.migration.StateRecord;
import dev.vfiosim.simulator.migration.StreamException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A device component's migration record made from its state record type: the component says how
 * to read its state ({@code current}) and how to apply one ({@code apply}); {@link RecordCodec}
 * does the bytes. Staging decodes into a record, so a malformed payload is refused before commit.
 */
public final class CodecStateRecord<R extends Record> implements StateRecord {
    private final int tag;
    private final Class<R> type;
    private final Supplier<R> current;
    private final Consumer<R> apply;
    private R staged;

    public CodecStateRecord(int tag, Class<R> type, Supplier<R> current, Consumer<R> apply) {
        this.tag = tag;
        this.type = type;
        this.current = current;
        this.apply = apply;
    }

    @Override
    public int tag() {
        return tag;
    }

    /** Version 1 of every component record: the layout of its record type today ({@link RecordCodec#shape}). */
    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean optional() {
        return false;
    }

    @Override
    public void write(PayloadWriter out) {
        out.putBytes(RecordCodec.encode(current.get()));
    }

    @Override
    public void stage(int version, ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        try {
            staged = RecordCodec.decode(type, bytes);
        } catch (IllegalArgumentException e) {
            throw new RecordLoader.Rejected(StreamException.Fault.MALFORMED_RECORD,
                    type.getSimpleName() + " record: " + e.getMessage());
        }
    }

    @Override
    public void commit() {
        if (staged != null) {
            apply.accept(staged);
            staged = null;
        }
    }

    @Override
    public void discard() {
        staged = null;
    }
}
