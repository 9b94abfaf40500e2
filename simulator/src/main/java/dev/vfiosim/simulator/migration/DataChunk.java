package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.ToIntFunction;
import java.util.zip.CRC32C;

/**
 * One MIG_DATA_READ chunk described as segments instead of one flat buffer: small bytes (stream and
 * record headers, page indices, trailers) are written into an inline buffer the caller provides,
 * and bulk bytes may instead be <em>lent</em>: a reference to memory that stays unchanged until the
 * chunk has been sent (a stopped device's pages), so they go from their own memory to the socket
 * without a copy by the JVM. The chunk's bytes are the segments in order.
 *
 * <p>Lending is allowed only when the producer of the chunk says so ({@link #lends()}): the server
 * asks for it, and the stream writer passes it on only while the device is stopped. A producer that
 * does not know about lending just writes everything inline ({@link #inlineSpace()}), which is the
 * plain copying read. Reusable: {@link #begin} starts a new chunk; no allocation per chunk.
 */
public final class DataChunk {
    private ByteBuffer inline;
    private int inlineStart;
    private int inlineEnd;
    private int wanted;
    private int length;
    private boolean lending;
    private ByteBuffer[] buffers = new ByteBuffer[16];
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private int count;
    private ByteBuffer viewed;
    private ByteBuffer view;

    /**
     * Starts a chunk of at most {@code wanted} bytes whose inline bytes go to {@code inline} from its
     * position (which needs {@code wanted} bytes of room); {@code lend} says whether bulk bytes may be
     * referenced instead of copied.
     */
    public DataChunk begin(ByteBuffer inline, int wanted, boolean lend) {
        if (wanted < 0 || inline.remaining() < wanted) {
            throw new IllegalArgumentException(wanted + " bytes wanted, " + inline.remaining() + " of room");
        }
        this.inline = inline;
        this.inlineStart = inline.position();
        this.inlineEnd = inlineStart;
        this.wanted = wanted;
        this.length = 0;
        this.lending = lend;
        Arrays.fill(buffers, 0, count, null);   // lent memory is not held past the chunk's life
        viewed = null;
        view = null;
        this.count = 0;
        return this;
    }

    /** Whether bulk bytes may be lent ({@link #lend}) rather than copied. */
    public boolean lends() {
        return lending;
    }

    /** From now on this chunk copies: its producer cannot vouch that memory stays unchanged (a running device). */
    public void stopLending() {
        lending = false;
    }

    /** Bytes the chunk still takes. */
    public int remaining() {
        return wanted - length;
    }

    /** Bytes in the chunk so far. */
    public int length() {
        return length;
    }

    /**
     * The rest of the inline room ({@link #remaining()} bytes, from 0): write into it and then say how
     * many bytes were written with {@link #inlineWritten}.
     */
    public ByteBuffer inlineSpace() {
        return inline.slice(inlineEnd, remaining()).order(inline.order());
    }

    /** The first {@code n} bytes of the last {@link #inlineSpace()} are part of the chunk now. */
    public void inlineWritten(int n) {
        if (n < 0 || n > remaining()) {
            throw new IllegalArgumentException(n + " bytes written, " + remaining() + " were free");
        }
        if (n == 0) {
            return;
        }
        if (count > 0 && buffers[count - 1] == inline && offsets[count - 1] + lengths[count - 1] == inlineEnd) {
            lengths[count - 1] += n;   // consecutive inline bytes are one segment
        } else {
            add(inline, inlineEnd, n);
        }
        inlineEnd += n;
        length += n;
    }

    /**
     * The copying read as a chunk: {@code read} fills the inline room and returns its count, as
     * MIG_DATA_READ into a plain buffer does; returns that count.
     */
    public int readInline(ToIntFunction<ByteBuffer> read) {
        int n = read.applyAsInt(inlineSpace());
        if (n > 0 && n <= remaining()) {
            inlineWritten(n);   // a count out of range is the caller's to refuse; the chunk keeps only sane ones
        }
        return n;
    }

    /** Appends {@code n} inline bytes and returns them to be filled (exactly {@code n} bytes, from 0). */
    public ByteBuffer appendInline(int n) {
        ByteBuffer space = inline.slice(inlineEnd, n).order(inline.order());
        inlineWritten(n);
        return space;
    }

    /** Appends a u64 in little-endian order, inline. */
    public void putLongLittleEndian(long value) {
        int at = inlineEnd;
        inlineWritten(Long.BYTES);
        PageRecord.putLongLittleEndian(inline, at, value);
    }

    /**
     * Appends {@code length} bytes of {@code memory} from {@code offset} (absolute) by reference. The
     * caller promises the memory does not change until the chunk is sent. Lend ranges of long-lived
     * buffers rather than fresh slices: the server looks a buffer's address up once per buffer.
     */
    public void lend(ByteBuffer memory, int offset, int length) {
        if (!lending) {
            throw new IllegalStateException("this chunk copies: nothing may be lent to it");
        }
        if (length > remaining() || length < 0 || offset < 0 || offset + length > memory.capacity()) {
            throw new IllegalArgumentException(length + " bytes at " + offset + " of a " + memory.capacity()
                    + "-byte buffer lent, " + remaining() + " were free");
        }
        if (length > 0) {
            add(memory, offset, length);
            this.length += length;
        }
    }

    private void add(ByteBuffer buffer, int offset, int n) {
        if (count == buffers.length) {
            buffers = Arrays.copyOf(buffers, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        buffers[count] = buffer;
        offsets[count] = offset;
        lengths[count] = n;
        count++;
    }

    /** Number of segments; a segment is {@code length(i)} bytes of {@code buffer(i)} from {@code offset(i)}. */
    public int segmentCount() {
        return count;
    }

    public ByteBuffer buffer(int segment) {
        return buffers[segment];
    }

    public int offset(int segment) {
        return offsets[segment];
    }

    public int length(int segment) {
        return lengths[segment];
    }

    /** Inline bytes used (they sit in the inline buffer from its starting position). */
    public int inlineLength() {
        return inlineEnd - inlineStart;
    }

    /** Adds the chunk's bytes from chunk offset {@code from} to its end to {@code crc}, reading lent memory in place. */
    void checksum(CRC32C crc, int from) {
        int at = length;
        int first = count;
        while (first > 0 && at > from) {
            first--;
            at -= lengths[first];
        }
        for (int i = first; i < count; i++) {
            int skip = Math.max(0, from - at);
            ByteBuffer view = viewOf(buffers[i]);
            view.limit(offsets[i] + lengths[i]).position(offsets[i] + skip);
            crc.update(view);
            at += lengths[i];
        }
    }

    /** A reusable duplicate of {@code buffer} to checksum ranges of it without a slice per segment. */
    private ByteBuffer viewOf(ByteBuffer buffer) {
        if (buffer != viewed) {
            viewed = buffer;
            view = buffer.duplicate();
        }
        return view.clear();
    }

    /** Copies the chunk's bytes, in order, into {@code dst} (advancing it): the flat form of the chunk. */
    public void copyTo(ByteBuffer dst) {
        for (int i = 0; i < count; i++) {
            dst.put(dst.position(), buffers[i], offsets[i], lengths[i]);
            dst.position(dst.position() + lengths[i]);
        }
    }
}
