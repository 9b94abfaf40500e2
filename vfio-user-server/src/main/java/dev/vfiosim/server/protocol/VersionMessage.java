package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * VERSION payload, the same shape in both directions.
 *
 * <pre>
 *  off size field
 *    0  u16 major
 *    2  u16 minor
 *    4  var JSON capabilities, UTF-8, NUL-terminated (the NUL counts in msg_size); optional
 * </pre>
 *
 * @param json the JSON text without its NUL, empty when the message carried none
 */
public record VersionMessage(int major, int minor, Optional<String> json) {
    public static final int FIXED_SIZE = 4;

    /** Decodes the payload between position and limit. */
    public static VersionMessage decode(ByteBuffer payload) {
        int length = payload.remaining();
        if (length < FIXED_SIZE) {
            throw ProtocolException.invalid("VERSION payload is " + length + " bytes, needs at least " + FIXED_SIZE);
        }
        int base = payload.position();
        int major = Short.toUnsignedInt(payload.getShort(base));
        int minor = Short.toUnsignedInt(payload.getShort(base + 2));
        int jsonLength = length - FIXED_SIZE;
        if (jsonLength == 0) {
            return new VersionMessage(major, minor, Optional.empty());
        }
        if (payload.get(base + length - 1) != 0) {
            throw ProtocolException.invalid("VERSION JSON is not NUL-terminated");
        }
        byte[] text = new byte[jsonLength - 1];
        payload.get(base + FIXED_SIZE, text);
        for (byte b : text) {
            if (b == 0) {
                throw ProtocolException.invalid("VERSION JSON contains a NUL before its end");
            }
        }
        return new VersionMessage(major, minor, Optional.of(new String(text, StandardCharsets.UTF_8)));
    }

    public int encodedSize() {
        return FIXED_SIZE + json.map(j -> j.getBytes(StandardCharsets.UTF_8).length + 1).orElse(0);
    }

    /** Writes the payload at the buffer's position and advances it. */
    public void encode(ByteBuffer out) {
        out.putShort((short) major);
        out.putShort((short) minor);
        json.ifPresent(j -> {
            out.put(j.getBytes(StandardCharsets.UTF_8));
            out.put((byte) 0);
        });
    }

    /** The capabilities it carries; no JSON means every default. */
    public Capabilities capabilities() {
        return json.map(Capabilities::parse).orElse(Capabilities.DEFAULTS);
    }
}
