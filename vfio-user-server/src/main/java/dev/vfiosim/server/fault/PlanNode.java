package dev.vfiosim.server.fault;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON value that remembers where it was written and its path from the root. Jackson's tree
 * model forgets token locations, and a plan error is only useful if it names the line, so the plan
 * is read with the streaming parser into these nodes first.
 */
final class PlanNode {
    enum Type { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL }

    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    final Type type;
    final String path;
    final String source;
    final int line;
    final int column;
    private final Map<String, PlanNode> fields;
    private final List<PlanNode> elements;
    private final String text;
    private final BigDecimal number;
    private final boolean bool;

    private PlanNode(Type type, String path, String source, JsonLocation at, Map<String, PlanNode> fields,
            List<PlanNode> elements, String text, BigDecimal number, boolean bool) {
        this.type = type;
        this.path = path;
        this.source = source;
        this.line = at.getLineNr();
        this.column = at.getColumnNr();
        this.fields = fields;
        this.elements = elements;
        this.text = text;
        this.number = number;
        this.bool = bool;
    }

    /** Reads one JSON document; syntax errors (and duplicate keys) come back with Jackson's location. */
    static PlanNode read(String json, String source) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() == null) {
                throw new InvalidFaultPlanException(source, 1, 1, "", "the plan is empty");
            }
            PlanNode root = read(p, "", source);
            if (p.nextToken() != null) {
                JsonLocation at = p.currentTokenLocation();
                throw new InvalidFaultPlanException(source, at.getLineNr(), at.getColumnNr(), "", "text after the end of the plan");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String path = e instanceof JsonParseException pe && pe.getProcessor() != null ? pathOf(pe.getProcessor()) : "";
            throw new InvalidFaultPlanException(source, at == null ? 1 : at.getLineNr(), at == null ? 1 : at.getColumnNr(), path,
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
    }

    private static PlanNode read(JsonParser p, String path, String source) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, PlanNode> fields = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    fields.put(name, read(p, path.isEmpty() ? name : path + "." + name, source));
                }
                return new PlanNode(Type.OBJECT, path, source, at, Collections.unmodifiableMap(fields), List.of(), null, null, false);
            }
            case START_ARRAY: {
                List<PlanNode> elements = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    elements.add(read(p, path + "[" + elements.size() + "]", source));
                }
                return new PlanNode(Type.ARRAY, path, source, at, Map.of(), List.copyOf(elements), null, null, false);
            }
            case VALUE_STRING:
                return new PlanNode(Type.STRING, path, source, at, Map.of(), List.of(), p.getText(), null, false);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new PlanNode(Type.NUMBER, path, source, at, Map.of(), List.of(), p.getText(), p.getDecimalValue(), false);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new PlanNode(Type.BOOLEAN, path, source, at, Map.of(), List.of(), p.getText(), null, t == JsonToken.VALUE_TRUE);
            default:
                return new PlanNode(Type.NULL, path, source, at, Map.of(), List.of(), "null", null, false);
        }
    }

    private static String pathOf(JsonParser p) {
        StringBuilder s = new StringBuilder();
        for (var c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            String part = c.inArray() ? "[" + Math.max(0, c.getCurrentIndex()) + "]" : c.getCurrentName() == null ? "" : c.getCurrentName();
            s.insert(0, c.inArray() || s.length() == 0 ? part : part + ".");
        }
        return s.toString();
    }

    /** A complaint about this value. */
    InvalidFaultPlanException wrong(String reason) {
        return new InvalidFaultPlanException(source, line, column, path, reason);
    }

    /** A complaint about a field of this object that is missing, so it is reported at the object. */
    InvalidFaultPlanException missing(String field, String reason) {
        return new InvalidFaultPlanException(source, line, column, path.isEmpty() ? field : path + "." + field, reason);
    }

    boolean is(Type t) {
        return type == t;
    }

    /** The object's fields in the order written; complains if this is not an object. */
    Map<String, PlanNode> fields() {
        requireType(Type.OBJECT, "an object");
        return fields;
    }

    PlanNode field(String name) {
        return fields().get(name);
    }

    PlanNode require(String name) {
        PlanNode n = field(name);
        if (n == null) {
            throw missing(name, "required");
        }
        return n;
    }

    List<PlanNode> elements() {
        requireType(Type.ARRAY, "an array");
        return elements;
    }

    String string() {
        requireType(Type.STRING, "a string");
        return text;
    }

    boolean bool() {
        requireType(Type.BOOLEAN, "true or false");
        return bool;
    }

    /** A number (integers too). */
    double decimal() {
        requireType(Type.NUMBER, "a number");
        return number.doubleValue();
    }

    /** A whole number in the signed 64-bit range. */
    long signed64() {
        requireType(Type.NUMBER, "a whole number");
        try {
            return number.longValueExact();
        } catch (ArithmeticException e) {
            throw wrong("must be a whole number within 64 bits, got " + text);
        }
    }

    /**
     * A whole number from 0 to 2^64-1, written as a JSON number or as a {@code "0x..."} string
     * (addresses and offsets are read in hex everywhere else, and JSON has no hex literals).
     */
    long unsigned64() {
        if (type == Type.STRING && (text.startsWith("0x") || text.startsWith("0X"))) {
            try {
                return Long.parseUnsignedLong(text.substring(2), 16);
            } catch (NumberFormatException e) {
                throw wrong("\"" + text + "\" is not a hex number of at most 64 bits");
            }
        }
        requireType(Type.NUMBER, "a whole number or a \"0x...\" string");
        try {
            java.math.BigInteger v = number.toBigIntegerExact();
            if (v.signum() < 0 || v.bitLength() > 64) {
                throw wrong("must be between 0 and 2^64-1, got " + text);
            }
            return v.longValue();
        } catch (ArithmeticException e) {
            throw wrong("must be a whole number, got " + text);
        }
    }

    /** A whole number from 0 to 2^31-1 (or a {@code "0x..."} string). */
    int unsigned31() {
        long v = unsigned64();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw wrong("must be between 0 and " + Integer.MAX_VALUE + ", got " + text);
        }
        return (int) v;
    }

    /** Finds a descendant by a relative path such as {@code when.probability} or {@code rules[1].id}, going as deep as exists. */
    PlanNode deepest(String relativePath) {
        PlanNode at = this;
        for (String part : relativePath.split("\\.|(?=\\[)")) {
            if (part.isEmpty()) {
                continue;
            }
            PlanNode next = null;
            if (part.startsWith("[") && at.type == Type.ARRAY) {
                int i = Integer.parseInt(part.substring(1, part.length() - 1));
                next = i < at.elements.size() ? at.elements.get(i) : null;
            } else if (at.type == Type.OBJECT) {
                next = at.fields.get(part);
            }
            if (next == null) {
                return at;
            }
            at = next;
        }
        return at;
    }

    private void requireType(Type wanted, String description) {
        if (type != wanted) {
            throw wrong("must be " + description + ", got " + (type == Type.STRING ? "\"" + text + "\"" : type == Type.OBJECT ? "an object"
                    : type == Type.ARRAY ? "an array" : text));
        }
    }
}
