package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;

/**
 * The destination side of one record tag. Records arrive in pieces of any size; nothing a loader
 * receives may touch the live device before {@link #commit()}, which only happens once the whole
 * stream has been validated. Any failure ends in {@link #discard()} instead.
 */
public interface RecordLoader {
    /** Thrown by a loader that cannot accept what the stream says; the reader adds where. */
    final class Rejected extends RuntimeException {
        private final StreamException.Fault fault;

        public Rejected(StreamException.Fault fault, String message) {
            super(message);
            this.fault = fault;
        }

        public StreamException.Fault fault() {
            return fault;
        }
    }

    int tag();

    /** The record's name in log lines and errors. */
    default String name() {
        return "tag " + tag();
    }

    /** Newest record version this loader reads; a newer mandatory record is refused. */
    int version();

    /** A record of this tag starts; the loader may refuse its version-specific length. */
    void begin(int version, long length);

    /** The next payload bytes of the current record (consume all of {@code piece}). */
    void accept(ByteBuffer piece);

    /** The record's checksum matched: what it carried is staged (a later record may replace it). */
    void end();

    /** What is still missing for a complete image, or {@code null} when nothing is. */
    String missing();

    /** Applies the staged state to the device. */
    void commit();

    /** Drops the staged state; the device is untouched. */
    void discard();
}
