package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Frames records into the stream as the reader pulls bytes: the stream header first, then for each
 * record its header, its payload (pulled from the record in pieces) and a CRC32C trailer computed
 * while the payload goes by. What to send next is not decided here: the {@link RecordFeed} says.
 */
public final class MigrationStreamWriter {
    /** Where the next record comes from. */
    public interface RecordFeed {
        /** The next record to send, or {@code null} when there is nothing to send right now. */
        OutgoingRecord next();
    }

    private final ByteBuffer header;
    private final CRC32C crc = new CRC32C();
    /** The chunk a plain buffer read goes through (never lends). */
    private final DataChunk copying = new DataChunk();
    private ByteBuffer framing = StreamLayout.littleEndian(0);
    private boolean headerSent;
    private OutgoingRecord record;
    private long payloadLeft;
    private long produced;
    private boolean ended;

    public MigrationStreamWriter(DeviceIdentity identity, MigrationFeatures features) {
        this.header = StreamLayout.encodeHeader(identity, features);
    }

    /**
     * Copies up to {@code dst.remaining()} stream bytes into {@code dst} and returns how many. It
     * stops early only when the feed has nothing more right now or the END record is out.
     */
    public int read(ByteBuffer dst, RecordFeed feed) {
        int n = read(copying.begin(dst, dst.remaining(), false), feed);
        dst.position(dst.position() + n);
        return n;
    }

    /**
     * Like {@link #read(ByteBuffer, RecordFeed)} into a chunk: payloads may lend their memory when
     * the chunk {@link DataChunk#lends() lends}; the checksum is computed over that memory in place.
     */
    public int read(DataChunk chunk, RecordFeed feed) {
        int start = chunk.length();
        while (chunk.remaining() > 0) {
            if (framing.hasRemaining()) {
                copyFraming(chunk);
            } else if (record != null && payloadLeft > 0) {
                producePayload(chunk);
            } else if (record != null) {
                finishRecord();
            } else if (ended) {
                break;
            } else if (!headerSent) {
                headerSent = true;
                framing = header.duplicate();
            } else {
                OutgoingRecord next = feed.next();
                if (next == null) {
                    break;
                }
                startRecord(next);
            }
        }
        int n = chunk.length() - start;
        produced += n;
        return n;
    }

    private void copyFraming(DataChunk chunk) {
        int n = Math.min(chunk.remaining(), framing.remaining());
        chunk.appendInline(n).put(framing.slice(framing.position(), n));
        framing.position(framing.position() + n);
    }

    private void producePayload(DataChunk chunk) {
        int n = (int) Math.min(chunk.remaining(), payloadLeft);
        int from = chunk.length();
        record.payload().produce(chunk, n);
        if (chunk.length() - from != n) {
            throw new IllegalStateException("a payload produced " + (chunk.length() - from) + " of " + n + " bytes");
        }
        chunk.checksum(crc, from);
        payloadLeft -= n;
    }

    private void startRecord(OutgoingRecord next) {
        record = next;
        payloadLeft = next.payload().length();
        framing = StreamLayout.encodeRecordHeader(next.tag(), next.optional(), next.version(), payloadLeft);
        crc.reset();
        crc.update(framing.duplicate());
    }

    private void finishRecord() {
        framing = StreamLayout.littleEndian(StreamLayout.TRAILER_SIZE);
        framing.putInt(0, (int) crc.getValue());
        ended = record.isEnd();
        record = null;
    }

    /** Bytes handed out so far. */
    public long produced() {
        return produced;
    }

    /** Whether the stream header has been (or is being) handed out. */
    public boolean started() {
        return headerSent;
    }

    /** The record being sent, or {@code null} between records. */
    OutgoingRecord inFlight() {
        return record;
    }

    /** Tag of the record being handed out, or -1 between records (the next one is not chosen yet). */
    public int recordInFlight() {
        return record != null ? record.tag() : -1;
    }

    /** Bytes still to hand out before the writer is between records (0 when it is). */
    public long pendingInRecord() {
        long trailer = record != null ? StreamLayout.TRAILER_SIZE : 0;
        return framing.remaining() + payloadLeft + trailer;
    }

    /** Whether the END record has been handed out in full. */
    public boolean ended() {
        return ended && !framing.hasRemaining();
    }
}
