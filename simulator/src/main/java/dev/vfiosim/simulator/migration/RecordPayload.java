package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;

/**
 * The payload of one outgoing record, produced on demand: the stream writer asks for the next
 * piece as the reader drains the stream, so a payload never needs to exist whole.
 */
public interface RecordPayload {
    /** Total payload bytes, fixed before the first byte is produced (it is in the record header). */
    long length();

    /** Fills {@code dst} completely with the next payload bytes; never asked past {@link #length()}. */
    void produce(ByteBuffer dst);

    /**
     * Appends the next {@code n} payload bytes to {@code chunk}. A payload whose bytes sit in memory
     * that cannot change until the chunk is sent may lend it when {@link DataChunk#lends()}; the
     * default copies them inline.
     */
    default void produce(DataChunk chunk, int n) {
        produce(chunk.appendInline(n));
    }

    /** A payload already in memory: small component records. */
    static RecordPayload of(byte[] bytes) {
        return new RecordPayload() {
            private int position;

            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public void produce(ByteBuffer dst) {
                int n = dst.remaining();
                dst.put(bytes, position, n);
                position += n;
            }
        };
    }
}
