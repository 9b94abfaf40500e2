package dev.vfiosim.simulator.migration;

/** One record queued for the stream: how it is framed and where its payload comes from. */
public record OutgoingRecord(int tag, boolean optional, int version, RecordPayload payload) {
    static final OutgoingRecord END =
            new OutgoingRecord(StreamLayout.END_TAG, false, StreamLayout.END_VERSION, RecordPayload.of(new byte[0]));

    boolean isEnd() {
        return tag == StreamLayout.END_TAG;
    }

    /** Bytes this record occupies in the stream, framing included. */
    long framedSize() {
        return StreamLayout.framedSize(payload.length());
    }
}
