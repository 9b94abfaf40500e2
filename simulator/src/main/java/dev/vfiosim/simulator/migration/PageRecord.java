package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.migration.StreamException.Fault;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.function.IntConsumer;

/**
 * The record that carries bulk pages, produced and consumed one page at a time so that a
 * multi-GiB image never sits on the heap (one page buffer on each side).
 *
 * <pre>
 * Payload (little-endian)
 * | off | size                 | field                                   |
 * |   0 |    4                 | page size                               |
 * |   4 |    8                 | page count n                            |
 * |  12 | n × (8 + page size)  | entries: u64 page index, then the page  |
 * </pre>
 */
final class PageRecord {
    static final int VERSION = 1;
    static final int HEADER_SIZE = 12;
    private static final int HEADER_PAGE_SIZE = 0;
    private static final int HEADER_PAGE_COUNT = 4;
    private static final int INDEX_SIZE = Long.BYTES;

    private PageRecord() {}

    /** Slices of a little-endian buffer are big-endian: the entry's index is written in the stream's order whatever it is. */
    static void putLongLittleEndian(ByteBuffer b, int at, long value) {
        b.putLong(at, b.order() == ByteOrder.LITTLE_ENDIAN ? value : Long.reverseBytes(value));
    }

    static long getLongLittleEndian(ByteBuffer b, int at) {
        long raw = b.getLong(at);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? raw : Long.reverseBytes(raw);
    }

    static long payloadLength(long pages, int pageSize) {
        return HEADER_SIZE + pages * (INDEX_SIZE + (long) pageSize);
    }

    /** An outgoing record of the selected pages; {@code onSent} hears each page as it is read. */
    static OutgoingRecord of(BulkState bulk, BitSet selection, IntConsumer onSent) {
        return new OutgoingRecord(bulk.tag(), false, VERSION, new Payload(bulk.pages(), selection, onSent));
    }

    private static final class Payload implements RecordPayload {
        private final PageSource pages;
        private final BitSet selection;
        private final IntConsumer onSent;
        private final long length;
        private final ByteBuffer page;
        private ByteBuffer framing = StreamLayout.littleEndian(HEADER_SIZE);
        private final ByteBuffer indexFraming = StreamLayout.littleEndian(INDEX_SIZE);
        private int cursor;

        Payload(PageSource pages, BitSet selection, IntConsumer onSent) {
            this.pages = pages;
            this.selection = selection;
            this.onSent = onSent;
            this.length = payloadLength(selection.cardinality(), pages.pageSize());
            this.page = ByteBuffer.allocate(pages.pageSize());
            page.position(page.limit());
            framing.putInt(HEADER_PAGE_SIZE, pages.pageSize());
            framing.putLong(HEADER_PAGE_COUNT, selection.cardinality());
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public void produce(ByteBuffer dst) {
            while (dst.hasRemaining()) {
                if (framing.hasRemaining()) {
                    copy(framing, dst);
                } else if (page.hasRemaining()) {
                    copy(page, dst);
                } else if (dst.remaining() >= INDEX_SIZE + page.capacity()) {
                    nextPageInPlace(dst);
                } else {
                    nextPage();
                }
            }
        }

        /**
         * Into a chunk that lends: each whole entry is its index inline and the page lent from the
         * state's own memory where the source has it; framing and an entry that straddles two
         * chunks are copied as in {@link #produce(ByteBuffer)}.
         */
        @Override
        public void produce(DataChunk chunk, int n) {
            if (!chunk.lends()) {
                produce(chunk.appendInline(n));
                return;
            }
            int end = chunk.length() + n;
            while (chunk.length() < end) {
                int left = end - chunk.length();
                if (framing.hasRemaining() || page.hasRemaining()) {
                    ByteBuffer from = framing.hasRemaining() ? framing : page;
                    int k = Math.min(from.remaining(), left);
                    copy(from, chunk.appendInline(k));
                } else if (left >= INDEX_SIZE + page.capacity()) {
                    lendNextPage(chunk);
                } else {
                    nextPage();
                }
            }
        }

        private void lendNextPage(DataChunk chunk) {
            int index = selection.nextSetBit(cursor);
            ByteBuffer stable = pages.stableMemory(index);
            if (stable == null) {
                produce(chunk.appendInline(INDEX_SIZE + page.capacity()));
                return;
            }
            cursor = index + 1;
            chunk.putLongLittleEndian(index);
            chunk.lend(stable, pages.stablePageOffset(index), page.capacity());
            onSent.accept(index);
        }

        /** The usual case: the whole entry fits, so the page goes from the state straight into {@code dst}. */
        private void nextPageInPlace(ByteBuffer dst) {
            int index = nextIndex();
            int at = dst.position();
            putLongLittleEndian(dst, at, index);
            // a slice: the source sees a page-sized buffer from 0, whatever it indexes by
            pages.readPage(index, dst.slice(at + INDEX_SIZE, page.capacity()));
            dst.position(at + INDEX_SIZE + page.capacity());
            onSent.accept(index);
        }

        /** An entry that straddles two reads goes through the page buffer. */
        private void nextPage() {
            int index = nextIndex();
            framing = indexFraming.clear();
            framing.putLong(0, index);
            page.clear();
            pages.readPage(index, page);
            page.flip();
            onSent.accept(index);
        }

        private int nextIndex() {
            int index = selection.nextSetBit(cursor);
            cursor = index + 1;
            return index;
        }

        private static void copy(ByteBuffer from, ByteBuffer dst) {
            int n = Math.min(from.remaining(), dst.remaining());
            dst.put(from.slice(from.position(), n));
            from.position(from.position() + n);
        }
    }

    /** Parses page records of one bulk state into its sink and remembers which pages arrived. */
    static final class Loader implements RecordLoader {
        private final BulkState bulk;
        private final BitSet received;
        private final ByteBuffer page;
        private final ByteBuffer indexCollecting = StreamLayout.littleEndian(INDEX_SIZE);
        private ByteBuffer collecting;
        private long length;
        private long pagesLeft;
        private long index;
        private boolean inPage;

        Loader(BulkState bulk) {
            this.bulk = bulk;
            this.page = ByteBuffer.allocate(bulk.pages().pageSize());
            this.received = new BitSet(bulk.pageCount());
        }

        @Override
        public int tag() {
            return bulk.tag();
        }

        @Override
        public int version() {
            return VERSION;
        }

        @Override
        public void begin(int version, long length) {
            if (length < HEADER_SIZE) {
                throw new Rejected(Fault.MALFORMED_RECORD, "page record of " + length + " bytes has no header");
            }
            this.length = length;
            collecting = StreamLayout.littleEndian(HEADER_SIZE);
            pagesLeft = -1;
            inPage = false;
        }

        @Override
        public void accept(ByteBuffer piece) {
            while (piece.hasRemaining()) {
                if (betweenEntries() && piece.remaining() >= INDEX_SIZE + page.capacity()) {
                    acceptInPlace(piece);
                    continue;
                }
                ByteBuffer target = inPage ? page : collecting;
                int n = Math.min(piece.remaining(), target.remaining());
                target.put(piece.slice(piece.position(), n));
                piece.position(piece.position() + n);
                if (!target.hasRemaining()) {
                    collected();
                }
            }
        }

        /** Whether the next byte starts a page entry (index, then page). */
        private boolean betweenEntries() {
            return !inPage && pagesLeft > 0 && collecting == indexCollecting && collecting.position() == 0;
        }

        /** The usual case: a whole entry in {@code piece} goes from there straight into the sink. */
        private void acceptInPlace(ByteBuffer piece) {
            int at = piece.position();
            index = checkIndex(getLongLittleEndian(piece, at));
            // a slice: the sink sees the page from 0, as it would in the page buffer
            bulk.sink().stagePage(index, piece.slice(at + INDEX_SIZE, page.capacity()));
            piece.position(at + INDEX_SIZE + page.capacity());
            received.set((int) index);
            pagesLeft--;
        }

        private long checkIndex(long candidate) {
            if (candidate < 0 || candidate >= bulk.pages().pageCount()) {
                throw new Rejected(Fault.MALFORMED_RECORD, "page index " + Long.toUnsignedString(candidate)
                        + " beyond the " + bulk.pages().pageCount() + " pages of this device");
            }
            return candidate;
        }

        private void collected() {
            if (inPage) {
                bulk.sink().stagePage(index, page.flip());
                received.set((int) index);
                inPage = false;
                pagesLeft--;
                collecting = indexCollecting.clear();
            } else if (pagesLeft < 0) {
                checkHeader(collecting.flip());
                collecting = indexCollecting.clear();
            } else {
                index = checkIndex(collecting.flip().getLong(0));
                collecting.clear();
                page.clear();
                inPage = true;
            }
        }

        private void checkHeader(ByteBuffer header) {
            int pageSize = header.getInt(HEADER_PAGE_SIZE);
            long count = header.getLong(HEADER_PAGE_COUNT);
            if (pageSize != bulk.pages().pageSize()) {
                throw new Rejected(Fault.MALFORMED_RECORD, "page size " + pageSize + ", this device uses "
                        + bulk.pages().pageSize());
            }
            if (count < 0 || count > bulk.pages().pageCount() || payloadLength(count, pageSize) != length) {
                throw new Rejected(Fault.MALFORMED_RECORD, count + " pages do not fill a " + length + "-byte record");
            }
            pagesLeft = count;
        }

        @Override
        public void end() {
            // The header check made the length exactly fit the pages, so the record is whole here.
        }

        @Override
        public String missing() {
            int absent = bulk.pageCount() - received.cardinality();
            if (absent == 0) {
                return null;
            }
            return "bulk page " + received.nextClearBit(0) + " never received (" + absent + " of "
                    + bulk.pageCount() + " pages missing)";
        }

        @Override
        public void commit() {
            bulk.sink().commit();
        }

        @Override
        public void discard() {
            bulk.sink().discard();
        }
    }
}
