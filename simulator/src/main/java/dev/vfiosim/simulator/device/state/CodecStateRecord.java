package dev.vfiosim.simulator.device.state;

import dev.vfiosim.simulator.migration.PayloadWriter;
import dev.vfiosim.simulator.migration.RecordLoader;
import dev.vfiosim.simulator.migration.StateRecord;
import dev.vfiosim.simulator.migration.StreamException;
import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A device component's migration record made from its state record type: the component says how
 * to read its state ({@code current}) and how to apply one ({@code apply}); the type's
 * {@link StateRecordDeclaration} says tag, name, version and older layouts; {@link RecordCodec}
 * does the bytes. Staging decodes (and upgrades) into a record, so a malformed payload is refused
 * before commit.
 *
 * <p>A device of an older revision writes an older version ({@code writtenVersion}): it writes that
 * layout and, being that older device, reads nothing newer. Every version up to it is read, older
 * ones through their {@link OlderLayout#upgrade()} step.
 */
public final class CodecStateRecord<R extends Record> implements StateRecord {
    private final Class<R> type;
    private final StateRecordDeclaration declaration;
    private final int writtenVersion;
    private final Supplier<R> current;
    private final Consumer<R> apply;
    private R staged;

    /** A record written in its newest layout. */
    public CodecStateRecord(Class<R> type, Supplier<R> current, Consumer<R> apply) {
        this(type, declarationOf(type).version(), current, apply);
    }

    public CodecStateRecord(Class<R> type, int writtenVersion, Supplier<R> current, Consumer<R> apply) {
        this.type = type;
        this.declaration = declarationOf(type);
        if (writtenVersion < 1 || writtenVersion > declaration.version()) {
            throw new IllegalArgumentException(declaration.name() + " record has versions 1.." + declaration.version()
                    + ", not " + writtenVersion);
        }
        this.writtenVersion = writtenVersion;
        this.current = current;
        this.apply = apply;
    }

    /** The type's declaration, checked: one older layout per older version, each constructible from the type. */
    public static StateRecordDeclaration declarationOf(Class<? extends Record> type) {
        StateRecordDeclaration d = type.getAnnotation(StateRecordDeclaration.class);
        if (d == null) {
            throw new IllegalArgumentException(type.getName() + " does not declare its migration record");
        }
        if (d.tag() == 0 || d.version() < 1 || d.olderLayouts().length != d.version() - 1) {
            throw new IllegalArgumentException(type.getName() + ": tag " + d.tag() + ", version " + d.version()
                    + " with " + d.olderLayouts().length + " older layouts (needs a non-zero tag and version - 1)");
        }
        for (Class<?> older : d.olderLayouts()) {
            downgrader(older, type);
        }
        return d;
    }

    private static Constructor<?> downgrader(Class<?> older, Class<?> type) {
        try {
            Constructor<?> c = older.getDeclaredConstructor(type);
            c.setAccessible(true);
            return c;
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(older.getName() + " needs a constructor from " + type.getName(), e);
        }
    }

    @Override
    public int tag() {
        return declaration.tag();
    }

    @Override
    public String name() {
        return declaration.name();
    }

    /** The version this device writes, and the newest it reads. */
    @Override
    public int version() {
        return writtenVersion;
    }

    @Override
    public boolean optional() {
        return declaration.optional();
    }

    @Override
    public void write(PayloadWriter out) {
        R state = current.get();
        if (writtenVersion == declaration.version()) {
            out.putBytes(RecordCodec.encode(state));
            return;
        }
        try {
            Record old = (Record) downgrader(olderLayout(writtenVersion), type).newInstance(state);
            out.putBytes(RecordCodec.encode(old));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot write " + name() + " version " + writtenVersion, e);
        }
    }

    private Class<?> olderLayout(int version) {
        return declaration.olderLayouts()[version - 1];
    }

    @Override
    public void stage(int version, ByteBuffer payload) {
        if (version < 1) {
            throw new RecordLoader.Rejected(StreamException.Fault.MALFORMED_RECORD,
                    name() + " record version " + version + " does not exist");
        }
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        try {
            if (version == declaration.version()) {
                staged = RecordCodec.decode(type, bytes);
            } else {
                @SuppressWarnings("unchecked")
                Class<? extends Record> layout = (Class<? extends Record>) olderLayout(version);
                @SuppressWarnings("unchecked")
                OlderLayout<R> old = (OlderLayout<R>) RecordCodec.decode(layout, bytes);
                staged = old.upgrade();
            }
        } catch (IllegalArgumentException e) {
            throw new RecordLoader.Rejected(StreamException.Fault.MALFORMED_RECORD,
                    name() + " record version " + version + ": " + e.getMessage());
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
