package dev.vfiosim.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;

/**
 * The {@code "capabilities"} object of a VERSION message. Every key is optional; an absent key means
 * the protocol default. Unknown keys are tolerated (the spec reserves the right to add them).
 *
 * @param maxMsgFds most fds the sender accepts in one message (default 1)
 * @param maxDataXferSize largest data transfer the sender accepts (default 1 MiB)
 * @param maxDmaMaps most simultaneous DMA windows (default 65535)
 * @param pgsizes OR of supported DMA page sizes (default 4096)
 * @param migrationPgsize {@code migration.pgsize}, the dirty-tracking page size, when present
 * @param migrationMaxBitmapSize {@code migration.max_bitmap_size}, when present
 * @param twinSocket whether the sender offers (request) or granted (reply) a twin socket
 * @param writeMultiple REGION_WRITE_MULTI is accepted
 */
public record Capabilities(
        long maxMsgFds,
        long maxDataXferSize,
        long maxDmaMaps,
        long pgsizes,
        OptionalLong migrationPgsize,
        OptionalLong migrationMaxBitmapSize,
        boolean twinSocket,
        boolean writeMultiple) {

    public static final long DEFAULT_MAX_MSG_FDS = 1;
    public static final long DEFAULT_MAX_DATA_XFER_SIZE = 1 << 20;
    public static final long DEFAULT_MAX_DMA_MAPS = 65535;
    public static final long DEFAULT_PGSIZES = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a peer that sent no JSON at all is assumed to support. */
    public static final Capabilities DEFAULTS = new Capabilities(DEFAULT_MAX_MSG_FDS, DEFAULT_MAX_DATA_XFER_SIZE,
            DEFAULT_MAX_DMA_MAPS, DEFAULT_PGSIZES, OptionalLong.empty(), OptionalLong.empty(), false, false);

    /**
     * Parses a JSON text such as {@code {"capabilities":{"max_msg_fds":16}}}. Malformed JSON, a
     * top level that is not an object, or a known key of the wrong type is EINVAL.
     */
    public static Capabilities parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw ProtocolException.invalid("VERSION capabilities are not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ProtocolException.invalid("VERSION JSON must be an object, got: " + abbreviate(json));
        }
        JsonNode caps = root.get("capabilities");
        if (caps == null) {
            return DEFAULTS;
        }
        if (!caps.isObject()) {
            throw ProtocolException.invalid("\"capabilities\" must be an object");
        }
        JsonNode migration = caps.get("migration");
        if (migration != null && !migration.isObject()) {
            throw ProtocolException.invalid("\"capabilities.migration\" must be an object");
        }
        JsonNode twin = caps.get("twin_socket");
        if (twin != null && !twin.isObject()) {
            throw ProtocolException.invalid("\"capabilities.twin_socket\" must be an object");
        }
        return new Capabilities(
                number(caps, "max_msg_fds", DEFAULT_MAX_MSG_FDS),
                number(caps, "max_data_xfer_size", DEFAULT_MAX_DATA_XFER_SIZE),
                number(caps, "max_dma_maps", DEFAULT_MAX_DMA_MAPS),
                number(caps, "pgsizes", DEFAULT_PGSIZES),
                optionalNumber(migration, "pgsize"),
                optionalNumber(migration, "max_bitmap_size"),
                twin != null && bool(twin, "supported"),
                bool(caps, "write_multiple"));
    }

    /** The JSON text of these capabilities, the form a VERSION message carries (without the NUL). */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode caps = root.putObject("capabilities");
        caps.put("max_msg_fds", maxMsgFds);
        caps.put("max_data_xfer_size", maxDataXferSize);
        if (maxDmaMaps != DEFAULT_MAX_DMA_MAPS) {
            caps.put("max_dma_maps", maxDmaMaps);
        }
        if (pgsizes != DEFAULT_PGSIZES) {
            caps.put("pgsizes", pgsizes);
        }
        if (migrationPgsize.isPresent()) {
            ObjectNode migration = caps.putObject("migration");
            migration.put("pgsize", migrationPgsize.getAsLong());
            migrationMaxBitmapSize.ifPresent(v -> migration.put("max_bitmap_size", v));
        }
        if (twinSocket) {
            caps.putObject("twin_socket").put("supported", true);
        }
        if (writeMultiple) {
            caps.put("write_multiple", true);
        }
        return root.toString();
    }

    private static long number(JsonNode node, String key, long absent) {
        JsonNode value = node.get(key);
        if (value == null) {
            return absent;
        }
        // canConvertToLong: a number of 2^63 and up (JSON has no width) must not wrap into a small one
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw ProtocolException.invalid("capability \"" + key + "\" must be an integer in [0, 2^63), got "
                    + abbreviate(value.toString()));
        }
        return value.asLong();
    }

    private static OptionalLong optionalNumber(JsonNode node, String key) {
        if (node == null || node.get(key) == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(number(node, key, 0));
    }

    private static boolean bool(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ProtocolException.invalid("capability \"" + key + "\" must be a boolean, got " + value);
        }
        return value.asBoolean();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
