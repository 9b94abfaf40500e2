package dev.vfiosim.server.session;

import java.nio.ByteBuffer;

/**
 * One DEVICE_FEATURE index: which operations it offers and what they do. The session checks the
 * operation bits and answers PROBE itself; a handler only ever sees a GET or a SET it offers.
 */
interface DeviceFeatureHandler {
    boolean offersGet();

    boolean offersSet();

    /**
     * GET: reads the request's feature data (position to limit) and writes the reply's feature data
     * into {@code reply}; the session prepends the header. {@code argsz} is the client's room for the
     * whole reply payload, header included.
     */
    default void get(ByteBuffer data, ByteBuffer reply, long argsz) {
        throw new UnsupportedOperationException("GET");
    }

    /** SET: acts on the feature data; the reply echoes the request unless the handler writes {@code reply}. */
    default void set(ByteBuffer data, ByteBuffer reply) {
        throw new UnsupportedOperationException("SET");
    }
}
