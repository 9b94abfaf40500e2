package dev.vfiosim.simulator.device.state;

import dev.vfiosim.simulator.migration.PayloadWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Encodes the device's state records (Java records of primitives, enums, byte arrays, nested
 * records and lists of records) in their component order, so that each stateful part of the engine
 * describes itself once — as its record — and is carried by a migration stream without a
 * hand-written serializer per record. Everything is little-endian, with no padding:
 *
 * <pre>
 * int                  i32
 * long                 i64
 * boolean              u8, 0 or 1 (anything else is refused)
 * enum                 u16, the constant's {@link WireEnum#wireValue()} (never its ordinal)
 * byte[]               u32 length + bytes
 * String               u16 length + UTF-8 bytes
 * record               its components in declaration order
 * List&lt;record&gt;         u32 count + that many records
 * </pre>
 * A record's layout changes when its components change; {@link #shape} gives a text of the layout
 * and {@link #describe} its field table (docs/migration.md prints those tables).
 */
public final class RecordCodec {
    private RecordCodec() {
    }

    public static byte[] encode(Record value) {
        PayloadWriter out = new PayloadWriter();
        write(out, value.getClass(), value);
        return out.toByteArray();
    }

    public static <R extends Record> R decode(Class<R> type, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            R value = type.cast(read(in, type));
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes left after decoding " + type.getSimpleName());
            }
            return value;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated " + type.getSimpleName() + ": the payload ends at byte "
                    + in.position() + " inside a field", e);
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

    /**
     * The field table of a record's payload as markdown: offset (while every field before it has a
     * fixed size, else "—": fields follow one another), wire type, field; then one table per record
     * type that appears in a list, offsets relative to the entry.
     */
    public static String describe(Class<? extends Record> type) {
        StringBuilder s = new StringBuilder();
        Set<Class<?>> lists = new LinkedHashSet<>();
        table(s, type, lists);
        Set<Class<?>> done = new LinkedHashSet<>();
        while (!lists.isEmpty()) {
            Class<?> element = lists.iterator().next();
            lists.remove(element);
            if (done.add(element)) {
                s.append("\nEach `").append(element.getSimpleName()).append("` entry:\n\n");
                table(s, element, lists);
            }
        }
        return s.toString();
    }

    private static void table(StringBuilder s, Class<?> type, Set<Class<?>> lists) {
        s.append("| off | type | field |\n|---|---|---|\n");
        rows(s, type, "", new long[] {0}, lists);
    }

    /** Appends a row per field; {@code offset[0]} is the running offset, -1 once it is no longer fixed. */
    private static void rows(StringBuilder s, Class<?> type, String prefix, long[] offset, Set<Class<?>> lists) {
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> t = c.getType();
            String name = prefix + c.getName();
            if (t.isRecord()) {
                rows(s, t, name + ".", offset, lists);
                continue;
            }
            String wire;
            int size;
            if (t == int.class) {
                wire = "i32";
                size = 4;
            } else if (t == long.class) {
                wire = "i64";
                size = 8;
            } else if (t == boolean.class) {
                wire = "u8 (0/1)";
                size = 1;
            } else if (t.isEnum()) {
                wire = "u16 " + enumValues(t);
                size = 2;
            } else if (t == byte[].class) {
                wire = "u32 n + n bytes";
                size = -1;
            } else if (t == String.class) {
                wire = "u16 n + n bytes UTF-8";
                size = -1;
            } else if (t == List.class) {
                Class<?> element = elementType(c.getGenericType());
                lists.add(element);
                wire = "u32 n + n × `" + element.getSimpleName() + "`";
                size = -1;
            } else {
                throw new IllegalArgumentException("cannot encode a " + t.getName() + " in a state record");
            }
            s.append("| ").append(offset[0] < 0 ? "—" : "0x" + Long.toHexString(offset[0])).append(" | ").append(wire)
                    .append(" | ").append(name).append(" |\n");
            offset[0] = offset[0] < 0 || size < 0 ? -1 : offset[0] + size;
        }
    }

    private static String enumValues(Class<?> type) {
        StringBuilder s = new StringBuilder("(");
        for (Object constant : type.getEnumConstants()) {
            if (s.length() > 1) {
                s.append(", ");
            }
            s.append(wireValue(constant)).append(' ').append(((Enum<?>) constant).name());
        }
        return s.append(')').toString();
    }

    private static int wireValue(Object constant) {
        if (!(constant instanceof WireEnum coded)) {
            throw new IllegalArgumentException("enum " + constant.getClass().getName()
                    + " does not declare its wire values (implement WireEnum): ordinals must not reach a stream");
        }
        return coded.wireValue();
    }

    private static void write(PayloadWriter out, Class<?> type, Object value) {
        if (type == int.class) {
            out.putU32((Integer) value);
        } else if (type == long.class) {
            out.putU64((Long) value);
        } else if (type == boolean.class) {
            out.putU8((Boolean) value ? 1 : 0);
        } else if (type.isEnum()) {
            out.putU16(wireValue(value));
        } else if (type == byte[].class) {
            byte[] b = (byte[]) value;
            out.putU32(b.length).putBytes(b);
        } else if (type == String.class) {
            byte[] b = ((String) value).getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                throw new IllegalArgumentException("a string of " + b.length + " UTF-8 bytes does not fit a u16 length");
            }
            out.putU16(b.length).putBytes(b);
        } else if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                Object component = accessor(c, value);
                if (c.getType() == List.class) {
                    List<?> list = (List<?>) component;
                    out.putU32(list.size());
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

    private static Object read(ByteBuffer in, Class<?> type) {
        if (type == int.class) {
            return in.getInt();
        } else if (type == long.class) {
            return in.getLong();
        } else if (type == boolean.class) {
            int b = Byte.toUnsignedInt(in.get());
            if (b > 1) {
                throw new IllegalArgumentException("boolean byte " + b + " at " + (in.position() - 1) + " is neither 0 nor 1");
            }
            return b == 1;
        } else if (type.isEnum()) {
            int value = Short.toUnsignedInt(in.getShort());
            for (Object constant : type.getEnumConstants()) {
                if (wireValue(constant) == value) {
                    return constant;
                }
            }
            throw new IllegalArgumentException(type.getSimpleName() + " has no constant of wire value " + value);
        } else if (type == byte[].class) {
            long n = Integer.toUnsignedLong(in.getInt());
            if (n > in.remaining()) {
                throw new IllegalArgumentException("byte array of " + n + " bytes exceeds the record");
            }
            byte[] b = new byte[(int) n];
            in.get(b);
            return b;
        } else if (type == String.class) {
            int n = Short.toUnsignedInt(in.getShort());
            if (n > in.remaining()) {
                throw new IllegalArgumentException("string of " + n + " bytes exceeds the record");
            }
            ByteBuffer text = in.slice(in.position(), n);
            in.position(in.position() + n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(text).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("string is not UTF-8: " + e.getMessage(), e);
            }
        } else if (type.isRecord()) {
            RecordComponent[] components = type.getRecordComponents();
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                if (types[i] == List.class) {
                    long n = Integer.toUnsignedLong(in.getInt());
                    if (n > in.remaining()) {
                        throw new IllegalArgumentException("list of " + n + " entries exceeds the record");
                    }
                    Class<?> element = elementType(components[i].getGenericType());
                    List<Object> list = new ArrayList<>((int) n);
                    for (int k = 0; k < n; k++) {
                        list.add(read(in, element));
                    }
                    args[i] = List.copyOf(list);
                } else {
                    args[i] = read(in, types[i]);
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
