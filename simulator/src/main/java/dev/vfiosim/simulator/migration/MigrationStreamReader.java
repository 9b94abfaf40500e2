package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.migration.StreamException.Fault;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Parses a stream written in any segmentation (one byte at a time works), validating as it goes
 * and handing each record's payload to the loader of its tag. The first fault is kept: every later
 * call reports it again. This class frames and checks; completeness and commit belong to the
 * resume session.
 */
public final class MigrationStreamReader {
    private enum Part {
        STREAM_HEADER, RECORD_HEADER, PAYLOAD, TRAILER, ENDED
    }

    private final DeviceIdentity identity;
    private final MigrationFeatures features;
    private final Map<Integer, RecordLoader> loaders = new HashMap<>();
    private final CRC32C crc = new CRC32C();
    private Part part = Part.STREAM_HEADER;
    private ByteBuffer collecting = StreamLayout.littleEndian(StreamLayout.HEADER_SIZE);
    private long offset;
    private int tag;
    private RecordLoader loader;
    private long payloadLeft;
    private StreamException failure;

    public MigrationStreamReader(DeviceIdentity identity, MigrationFeatures features, Iterable<RecordLoader> loaders) {
        this.identity = identity;
        this.features = features;
        for (RecordLoader l : loaders) {
            this.loaders.put(l.tag(), l);
        }
    }

    /** Consumes all of {@code src}; throws the first fault found (now or earlier). */
    public void write(ByteBuffer src) {
        if (failure != null) {
            throw failure;
        }
        try {
            while (src.hasRemaining()) {
                step(src);
            }
        } catch (StreamException e) {
            failure = e;
            throw e;
        }
    }

    /** Throws unless the stream ended with END and no fault. */
    public void finish() {
        if (failure != null) {
            throw failure;
        }
        if (part != Part.ENDED) {
            String detail = "stream ends " + where();
            boolean inRecord = part == Part.PAYLOAD || part == Part.TRAILER;
            failure = inRecord ? recordFault(Fault.TRUNCATED, detail) : fault(Fault.TRUNCATED, detail);
            throw failure;
        }
    }

    private String where() {
        switch (part) {
            case STREAM_HEADER:
                return "inside the stream header";
            case RECORD_HEADER:
                return collecting.position() == 0 ? "between records, before END" : "inside a record header";
            case PAYLOAD:
                return "inside the payload, " + payloadLeft + " bytes short";
            default:
                return "inside the checksum trailer";
        }
    }

    private void step(ByteBuffer src) {
        switch (part) {
            case PAYLOAD:
                takePayload(src);
                return;
            case ENDED:
                throw fault(Fault.TRAILING_DATA, src.remaining() + " bytes follow the END record");
            default:
                int n = Math.min(src.remaining(), collecting.remaining());
                collecting.put(src.slice(src.position(), n));
                src.position(src.position() + n);
                offset += n;
                if (!collecting.hasRemaining()) {
                    collected();
                }
        }
    }

    private void collected() {
        ByteBuffer b = collecting.flip();
        switch (part) {
            case STREAM_HEADER:
                checkStreamHeader(b);
                expect(Part.RECORD_HEADER, StreamLayout.RECORD_HEADER_SIZE);
                break;
            case RECORD_HEADER:
                crc.reset();
                crc.update(b.duplicate());
                startRecord(b);
                break;
            default:
                checkTrailer(b.getInt(0));
        }
    }

    private void expect(Part next, int size) {
        part = next;
        collecting = StreamLayout.littleEndian(size);
    }

    private void checkStreamHeader(ByteBuffer b) {
        if (b.getLong(StreamLayout.HEADER_MAGIC) != StreamLayout.MAGIC) {
            throw fault(Fault.BAD_MAGIC, "magic 0x" + Long.toHexString(b.getLong(StreamLayout.HEADER_MAGIC)));
        }
        int version = b.getInt(StreamLayout.HEADER_VERSION);
        if (version != StreamLayout.FORMAT_VERSION) {
            throw fault(Fault.UNSUPPORTED_VERSION, "format version " + Integer.toUnsignedString(version)
                    + ", this device reads " + StreamLayout.FORMAT_VERSION);
        }
        DeviceIdentity source = StreamLayout.headerIdentity(b);
        if (!source.equals(identity)) {
            throw fault(Fault.IDENTITY_MISMATCH, "stream from " + source + ", this device is " + identity);
        }
        long flags = Integer.toUnsignedLong(b.getInt(StreamLayout.HEADER_FEATURES));
        if (flags != features.flags()) {
            throw fault(Fault.FEATURE_MISMATCH, "stream features 0x" + Long.toHexString(flags)
                    + ", this device advertises " + features);
        }
    }

    private void startRecord(ByteBuffer b) {
        tag = b.getInt(StreamLayout.RECORD_TAG);
        int flags = Short.toUnsignedInt(b.getShort(StreamLayout.RECORD_FLAGS));
        int version = Short.toUnsignedInt(b.getShort(StreamLayout.RECORD_VERSION));
        payloadLeft = b.getLong(StreamLayout.RECORD_LENGTH);
        boolean optional = (flags & StreamLayout.FLAG_OPTIONAL) != 0;
        if ((flags & ~StreamLayout.FLAG_OPTIONAL) != 0) {
            throw recordFault(Fault.BAD_RECORD_FLAGS, "unknown flag bits 0x" + Integer.toHexString(flags));
        }
        if (payloadLeft < 0 || payloadLeft > StreamLayout.MAX_PAYLOAD) {
            throw recordFault(Fault.RECORD_TOO_LARGE, "payload length " + Long.toUnsignedString(payloadLeft));
        }
        loader = null;
        if (tag == StreamLayout.END_TAG) {
            if (payloadLeft != 0 || optional) {
                throw recordFault(Fault.MALFORMED_RECORD, "END carries a payload or the OPTIONAL flag");
            }
        } else {
            loader = loaderFor(version, optional);
        }
        part = Part.PAYLOAD;
        if (payloadLeft == 0) {
            expect(Part.TRAILER, StreamLayout.TRAILER_SIZE);
        }
    }

    /** The loader that takes this record, or {@code null} to skip it (checksum still verified). */
    private RecordLoader loaderFor(int version, boolean optional) {
        RecordLoader known = loaders.get(tag);
        if (known == null) {
            if (optional) {
                return null;
            }
            throw recordFault(Fault.UNKNOWN_MANDATORY_RECORD, "no component of this device reads it");
        }
        if (version > known.version()) {
            if (optional) {
                return null;
            }
            throw recordFault(Fault.UNSUPPORTED_RECORD_VERSION,
                    known.name() + " record version " + version + " is newer than this device reads (up to version "
                            + known.version() + ")");
        }
        guarded(() -> known.begin(version, payloadLeft));
        return known;
    }

    private void takePayload(ByteBuffer src) {
        int n = (int) Math.min(src.remaining(), payloadLeft);
        ByteBuffer piece = src.slice(src.position(), n);
        crc.update(piece.duplicate());
        if (loader != null) {
            guarded(() -> loader.accept(piece));
        }
        src.position(src.position() + n);
        offset += n;
        payloadLeft -= n;
        if (payloadLeft == 0) {
            expect(Part.TRAILER, StreamLayout.TRAILER_SIZE);
        }
    }

    private void checkTrailer(int stored) {
        int computed = (int) crc.getValue();
        if (stored != computed) {
            throw recordFault(Fault.CHECKSUM_MISMATCH, "CRC32C stored 0x" + Integer.toHexString(stored)
                    + ", computed 0x" + Integer.toHexString(computed));
        }
        if (tag == StreamLayout.END_TAG) {
            part = Part.ENDED;
            return;
        }
        if (loader != null) {
            guarded(loader::end);
        }
        expect(Part.RECORD_HEADER, StreamLayout.RECORD_HEADER_SIZE);
    }

    /** Runs loader code, turning its refusals into a positioned stream fault. */
    private void guarded(Runnable loaderCall) {
        try {
            loaderCall.run();
        } catch (RecordLoader.Rejected e) {
            throw recordFault(e.fault(), e.getMessage());
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw recordFault(Fault.MALFORMED_RECORD, "payload shorter than its layout: " + e);
        }
    }

    private StreamException fault(Fault f, String detail) {
        return new StreamException(f, offset, StreamException.NO_TAG, detail);
    }

    private StreamException recordFault(Fault f, String detail) {
        return new StreamException(f, offset, Integer.toUnsignedLong(tag), detail);
    }

    /** Tag of the record whose payload or trailer is being parsed, or -1 (headers, between records). */
    public int recordInFlight() {
        return part == Part.PAYLOAD || part == Part.TRAILER ? tag : -1;
    }

    /** Bytes consumed so far. */
    public long offset() {
        return offset;
    }
}
