package dev.vfiosim.server.session;

import java.nio.ByteBuffer;

/**
 * One DEVICE_FEATURE index: its GET and SET operations, {@code null} where the feature offers none.
 * The session checks the operation bits and answers PROBE itself; a handler only ever sees an
 * operation it offers.
 */
record DeviceFeatureHandler(FeatureGet get, FeatureSet set) {
    /**
     * Reads the request's feature data (position to limit) and writes the reply's feature data into
     * {@code reply}; the session prepends the header. {@code argsz} is the client's room for the whole
     * reply payload, header included.
     */
    @FunctionalInterface
    interface FeatureGet {
        void get(ByteBuffer data, ByteBuffer reply, long argsz);
    }

    /** Acts on the feature data; the reply echoes the request unless the handler writes {@code reply}. */
    @FunctionalInterface
    interface FeatureSet {
        void set(ByteBuffer data, ByteBuffer reply);
    }

    static DeviceFeatureHandler getOnly(FeatureGet get) {
        return new DeviceFeatureHandler(get, null);
    }

    static DeviceFeatureHandler setOnly(FeatureSet set) {
        return new DeviceFeatureHandler(null, set);
    }

    boolean offersGet() {
        return get != null;
    }

    boolean offersSet() {
        return set != null;
    }
}
