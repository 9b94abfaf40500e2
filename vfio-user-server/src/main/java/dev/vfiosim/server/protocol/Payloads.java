package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/** Length checks shared by every payload decoder, so each failure names the command and the sizes. */
final class Payloads {
    private Payloads() {
    }

    static void requireAtLeast(ByteBuffer payload, int size, String what) {
        if (payload.remaining() < size) {
            throw ProtocolException.invalid(what + " payload is " + payload.remaining() + " bytes, needs at least " + size);
        }
    }

    static void requireExactly(ByteBuffer payload, long size, String what) {
        if (payload.remaining() != size) {
            throw ProtocolException.invalid(what + " payload is " + payload.remaining() + " bytes, must be " + size);
        }
    }

    static void requireArgsz(long argsz, int minimum, String what) {
        if (argsz < minimum) {
            throw ProtocolException.invalid(what + " argsz " + argsz + " is below the " + minimum + "-byte struct");
        }
    }
}
