package dev.vfiosim.simulator.device.state;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes the device's state records (Java records of primitives, enums, byte arrays, nested
 * records and lists of records) in their component order, so that each stateful part of the engine
 * describes itself once — as its record — and is carried by a migration stream without a
 * hand-written serializer per record.
 *
 * <pre>
 * int, long, boolean   4, 8, 1 bytes (big-endian, java.io.DataOutput)
 * enum                 u16 ordinal
 * byte[]               u32 length + bytes
 * String               modified UTF-8 (u16 length)
 * record               its components in declaration order
 * List&lt;record&gt;         u32 count + that many records
 * </pre>
 * A record's layout changes when its components change; {@link #shape} gives a text of the layout
 * so a stream can name the version it was written with and a reader refuse a different one.
 */
public final class RecordCodec {
    private RecordCodec() {
    }

    public static byte[] encode(Record value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, value.getClass(), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static <R extends Record> R decode(Class<R> type, byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            R value = type.cast(read(in, type, null));
            if (in.available() != 0) {
                throw new IllegalArgumentException(in.available() + " bytes left after decoding " + type.getSimpleName());
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** A textual fingerprint of a record type's layout, e.g. {@code QueueCounters(long,long,long,long)}. */
    public static String shape(Class<?> type) {
        StringBuilder s = new StringBuilder(type.getSimpleName()).append('(');
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            if (i > 0) {
                s.append(',');
            }
            Class<?> c = components[i].getType();
            if (c.isRecord()) {
                s.append(shape(c));
            } else if (c == List.class) {
                s.append("List<").append(shape(elementType(components[i].getGenericType()))).append('>');
            } else {
                s.append(c.getSimpleName());
            }
        }
        return s.append(')').toString();
    }

    private static void write(DataOutputStream out, Class<?> type, Object value) throws IOException {
        if (type == int.class) {
            out.writeInt((Integer) value);
        } else if (type == long.class) {
            out.writeLong((Long) value);
        } else if (type == boolean.class) {
            out.writeBoolean((Boolean) value);
        } else if (type.isEnum()) {
            out.writeShort(((Enum<?>) value).ordinal());
        } else if (type == byte[].class) {
            byte[] b = (byte[]) value;
            out.writeInt(b.length);
            out.write(b);
        } else if (type == String.class) {
            out.writeUTF((String) value);
        } else if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                Object component = accessor(c, value);
                if (c.getType() == List.class) {
                    List<?> list = (List<?>) component;
                    out.writeInt(list.size());
                    Class<?> element = elementType(c.getGenericType());
                    for (Object item : list) {
                        write(out, element, item);
                    }
                } else {
                    write(out, c.getType(), component);
                }
            }
        } else {
            throw new IllegalArgumentException("cannot encode a " + type.getName() + " in a state record");
        }
    }

    private static Object read(DataInputStream in, Class<?> type, Type generic) throws IOException {
        if (type == int.class) {
            return in.readInt();
        } else if (type == long.class) {
            return in.readLong();
        } else if (type == boolean.class) {
            return in.readBoolean();
        } else if (type.isEnum()) {
            int ordinal = in.readUnsignedShort();
            Object[] constants = type.getEnumConstants();
            if (ordinal >= constants.length) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no constant #" + ordinal);
            }
            return constants[ordinal];
        } else if (type == byte[].class) {
            int n = in.readInt();
            if (n < 0 || n > in.available()) {
                throw new IllegalArgumentException("byte array of " + n + " bytes exceeds the record");
            }
            return in.readNBytes(n);
        } else if (type == String.class) {
            return in.readUTF();
        } else if (type.isRecord()) {
            RecordComponent[] components = type.getRecordComponents();
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                if (types[i] == List.class) {
                    int n = in.readInt();
                    if (n < 0 || n > in.available()) {
                        throw new IllegalArgumentException("list of " + n + " entries exceeds the record");
                    }
                    Class<?> element = elementType(components[i].getGenericType());
                    List<Object> list = new ArrayList<>(n);
                    for (int k = 0; k < n; k++) {
                        list.add(read(in, element, null));
                    }
                    args[i] = List.copyOf(list);
                } else {
                    args[i] = read(in, types[i], components[i].getGenericType());
                }
            }
            try {
                Constructor<?> constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
                return constructor.newInstance(args);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("invalid " + type.getSimpleName() + ": " + e.getCause().getMessage(), e);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalArgumentException("cannot decode a " + type.getName());
    }

    private static Object accessor(RecordComponent c, Object value) {
        try {
            var method = c.getAccessor();
            method.setAccessible(true);
            return method.invoke(value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Class<?> elementType(Type listType) {
        Type element = ((ParameterizedType) listType).getActualTypeArguments()[0];
        Class<?> c = (Class<?>) element;
        if (!c.isRecord()) {
            throw new IllegalArgumentException("only lists of records can be encoded, not of " + c.getName());
        }
        return c;
    }
}
