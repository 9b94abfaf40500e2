package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.migration.StreamException.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Walks a saved migration stream and reports what is in it without ever throwing on its contents
 * ({@code vfio-sim inspect}): the stream header, each record (tag, name, version,
 * mandatory/optional, offset, length, CRC good or bad), page counts, and where and why the stream
 * is truncated or corrupt. It reads {@link StreamLayout} as {@link MigrationStreamReader} does, but
 * needs no device: it checks framing and checksums, not identity, features or record contents, and
 * goes on past a bad checksum (the framing is still readable) so that every record is listed.
 * Payloads are streamed, never held: a multi-GiB stream is inspected in constant memory.
 */
public final class StreamInspector {
    private static final int CHUNK = 64 * 1024;

    /** What the walker knows of the records: names by tag, and which tags carry bulk pages. */
    public record Vocabulary(Map<Integer, String> names, Set<Integer> pageTags) {
        public static final Vocabulary NONE = new Vocabulary(Map.of(), Set.of());

        String name(int tag) {
            return tag == StreamLayout.END_TAG ? "END" : names.getOrDefault(tag, "unknown");
        }
    }

    /** The stream header's fields. */
    public record Header(long magic, int formatVersion, int vendorId, int deviceId, int modelRevision, long features) {
    }

    /**
     * One record. {@code crcGood} is empty when the stream ends before its trailer; {@code pages}
     * and {@code pageSize} are present for a page record whose header could be read.
     */
    public record Entry(long offset, int tag, String name, int version, boolean optional, long length,
            Optional<Boolean> crcGood, Optional<Long> pages, Optional<Integer> pageSize) {
    }

    /** The first thing wrong with the stream: what, at which stream byte, in which record (or -1), and why. */
    public record Problem(Fault fault, long offset, long tag, String detail) {
    }

    /** The whole report; {@code problem} empty means the stream is intact, END included. */
    public record Report(Optional<Header> header, List<Entry> records, long totalPages, long bytes,
            Optional<Problem> problem) {
        public boolean intact() {
            return problem.isEmpty();
        }
    }

    private final InputStream in;
    private final Vocabulary vocabulary;
    private final CRC32C crc = new CRC32C();
    private final byte[] chunk = new byte[CHUNK];
    private long offset;
    private Problem problem;

    private StreamInspector(InputStream in, Vocabulary vocabulary) {
        this.in = in;
        this.vocabulary = vocabulary;
    }

    /** Reads {@code in} to its end (or to the point past which nothing can be trusted). */
    public static Report inspect(InputStream in, Vocabulary vocabulary) throws IOException {
        return new StreamInspector(in, vocabulary).walk();
    }

    private Report walk() throws IOException {
        List<Entry> records = new ArrayList<>();
        long pages = 0;
        ByteBuffer h = read(StreamLayout.HEADER_SIZE);
        if (h == null) {
            return report(null, records, pages, Fault.TRUNCATED, -1, "stream ends inside the stream header");
        }
        Header header = new Header(h.getLong(StreamLayout.HEADER_MAGIC), h.getInt(StreamLayout.HEADER_VERSION),
                Short.toUnsignedInt(h.getShort(StreamLayout.HEADER_VENDOR)),
                Short.toUnsignedInt(h.getShort(StreamLayout.HEADER_DEVICE)), h.getInt(StreamLayout.HEADER_MODEL),
                Integer.toUnsignedLong(h.getInt(StreamLayout.HEADER_FEATURES)));
        if (header.magic() != StreamLayout.MAGIC) {
            return report(header, records, pages, Fault.BAD_MAGIC, -1, "magic 0x" + Long.toHexString(header.magic())
                    + " is not a vfio-sim migration stream's");
        }
        if (header.formatVersion() != StreamLayout.FORMAT_VERSION) {
            return report(header, records, pages, Fault.UNSUPPORTED_VERSION, -1, "format version "
                    + Integer.toUnsignedString(header.formatVersion()) + ", this build reads " + StreamLayout.FORMAT_VERSION);
        }
        while (true) {
            long at = offset;
            ByteBuffer r = read(StreamLayout.RECORD_HEADER_SIZE);
            if (r == null) {
                return report(header, records, pages, Fault.TRUNCATED, -1, offset == at
                        ? "stream ends between records, before END" : "stream ends inside a record header");
            }
            int tag = r.getInt(StreamLayout.RECORD_TAG);
            int flags = Short.toUnsignedInt(r.getShort(StreamLayout.RECORD_FLAGS));
            int version = Short.toUnsignedInt(r.getShort(StreamLayout.RECORD_VERSION));
            long length = r.getLong(StreamLayout.RECORD_LENGTH);
            boolean optional = (flags & StreamLayout.FLAG_OPTIONAL) != 0;
            String name = vocabulary.name(tag);
            if ((flags & ~StreamLayout.FLAG_OPTIONAL) != 0) {
                return report(header, records, pages, Fault.BAD_RECORD_FLAGS, tag,
                        "record at " + at + " has unknown flag bits 0x" + Integer.toHexString(flags));
            }
            if (length < 0 || length > StreamLayout.MAX_PAYLOAD) {
                return report(header, records, pages, Fault.RECORD_TOO_LARGE, tag,
                        "record at " + at + " announces " + Long.toUnsignedString(length) + " payload bytes");
            }
            crc.reset();
            crc.update(r.array(), 0, StreamLayout.RECORD_HEADER_SIZE);
            boolean pageRecord = vocabulary.pageTags().contains(tag) && length >= PageRecord.HEADER_SIZE;
            Optional<Long> pageCount = Optional.empty();
            Optional<Integer> pageSize = Optional.empty();
            long left = length;
            if (pageRecord) {
                ByteBuffer p = read(PageRecord.HEADER_SIZE);
                if (p == null) {
                    records.add(new Entry(at, tag, name, version, optional, length, Optional.empty(), pageCount, pageSize));
                    return report(header, records, pages, Fault.TRUNCATED, tag, "stream ends inside the payload of "
                            + name + " (tag " + tag + ") at " + at);
                }
                crc.update(p.array(), 0, PageRecord.HEADER_SIZE);
                pageSize = Optional.of(p.getInt(0));
                pageCount = Optional.of(p.getLong(4));
                left -= PageRecord.HEADER_SIZE;
            }
            long missing = skip(left);
            if (missing > 0) {
                records.add(new Entry(at, tag, name, version, optional, length, Optional.empty(), pageCount, pageSize));
                return report(header, records, pages, Fault.TRUNCATED, tag, "stream ends inside the payload of " + name
                        + " (tag " + tag + ") at " + at + ", " + missing + " bytes short");
            }
            ByteBuffer t = read(StreamLayout.TRAILER_SIZE);
            if (t == null) {
                records.add(new Entry(at, tag, name, version, optional, length, Optional.empty(), pageCount, pageSize));
                return report(header, records, pages, Fault.TRUNCATED, tag, "stream ends inside the checksum trailer of "
                        + name + " (tag " + tag + ") at " + at);
            }
            int stored = t.getInt(0);
            int computed = (int) crc.getValue();
            boolean good = stored == computed;
            records.add(new Entry(at, tag, name, version, optional, length, Optional.of(good), pageCount, pageSize));
            pages += pageCount.orElse(0L);
            if (!good) {
                note(Fault.CHECKSUM_MISMATCH, at, tag, name + " (tag " + tag + ") at " + at + ": CRC32C stored 0x"
                        + Integer.toHexString(stored) + ", computed 0x" + Integer.toHexString(computed));
            }
            if (pageRecord && good) {
                long expected = PageRecord.payloadLength(pageCount.get(), pageSize.get());
                if (expected != length) {
                    note(Fault.MALFORMED_RECORD, at, tag, name + " at " + at + " says " + pageCount.get() + " pages of "
                            + pageSize.get() + " bytes (" + expected + " bytes) in a " + length + "-byte payload");
                }
            }
            if (tag == StreamLayout.END_TAG) {
                if (length != 0 || optional) {
                    note(Fault.MALFORMED_RECORD, at, tag, "END at " + at + " carries a payload or the OPTIONAL flag");
                }
                skip(Long.MAX_VALUE);   // counts whatever follows END
                return finish(header, records, pages);
            }
        }
    }

    private Report finish(Header header, List<Entry> records, long pages) {
        long endOfEnd = records.get(records.size() - 1).offset() + StreamLayout.framedSize(0);
        if (offset > endOfEnd) {
            note(Fault.TRAILING_DATA, endOfEnd, -1, (offset - endOfEnd) + " bytes follow the END record");
        }
        return new Report(Optional.of(header), records, pages, offset, Optional.ofNullable(problem));
    }

    private void note(Fault fault, long at, long tag, String detail) {
        if (problem == null) {
            problem = new Problem(fault, at, tag, detail);
        }
    }

    private Report report(Header header, List<Entry> records, long pages, Fault fault, long tag, String detail) {
        note(fault, offset, tag, detail);
        return new Report(Optional.ofNullable(header), records, pages, offset, Optional.of(problem));
    }

    /** Exactly {@code n} bytes (little-endian), or null at the end of the stream (what was there is counted). */
    private ByteBuffer read(int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(b, got, n - got);
            if (r < 0) {
                offset += got;
                return null;
            }
            got += r;
        }
        offset += n;
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads {@code n} bytes into the checksum; returns how many were missing at the end of the stream. */
    private long skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            int r = in.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (r < 0) {
                return n == Long.MAX_VALUE ? 0 : left;
            }
            if (n != Long.MAX_VALUE) {
                crc.update(chunk, 0, r);
            }
            offset += r;
            left -= r;
        }
        return 0;
    }
}
