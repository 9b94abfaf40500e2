package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One save session (one data "fd"): decides which records go out when, and keeps the pre-copy
 * accounting. The stream it yields:
 *
 * <pre>
 * PRE_COPY  : header, initial image = [component snapshots at session start, all pages],
 *             then page deltas (pages dirtied since taken) as the device dirties them
 * STOP_COPY : the record in flight completes; initial records not begun are dropped; then
 *             [pages never sent ∪ pages dirty] , final component records, END
 * </pre>
 *
 * A session opened straight in STOP_COPY, or one whose pre-copy data was never read, therefore
 * yields a self-sufficient image: header, every page, every component, END.
 */
public final class SaveSession {
    private enum Phase {
        PRE_COPY, STOP_COPY, CLOSED
    }

    /** One record the stop-copy phase still owes: how to start it and its expected size. */
    private record Step(Supplier<OutgoingRecord> start, LongSupplier estimate) {}

    private final MigrationImage image;
    private final MigrationStreamWriter writer;
    private final Deque<OutgoingRecord> initial = new ArrayDeque<>();
    private final BitSet sent = new BitSet();
    private final long initialSize;
    private final boolean tracking;
    private Deque<Step> finalSteps = new ArrayDeque<>();
    private Phase phase;

    private SaveSession(MigrationImage image, boolean preCopy) {
        this.image = image;
        this.writer = new MigrationStreamWriter(image.identity(), image.features());
        this.tracking = preCopy && image.bulk().isPresent();
        long size = StreamLayout.HEADER_SIZE;
        if (preCopy) {
            // Tracking starts before the first page is read, so any later write is sent again.
            image.bulk().ifPresent(b -> b.dirty().startTracking());
            for (StateRecord c : image.components()) {
                initial.add(c.snapshot());
            }
            image.bulk().ifPresent(b -> {
                BitSet all = new BitSet(b.pageCount());
                all.set(0, b.pageCount());
                initial.add(PageRecord.of(b, all, sent::set));
            });
            for (OutgoingRecord r : initial) {
                size += r.framedSize();
            }
            phase = Phase.PRE_COPY;
        } else {
            finalSteps = finalSteps();
            phase = Phase.STOP_COPY;
        }
        this.initialSize = size;
    }

    /** RUNNING → PRE_COPY: a tracking session whose stream starts with the initial image. */
    public static SaveSession preCopy(MigrationImage image) {
        return new SaveSession(image, true);
    }

    /** STOP → STOP_COPY: a session of the stopped device's full state. */
    public static SaveSession stopCopy(MigrationImage image) {
        return new SaveSession(image, false);
    }

    /**
     * MIG_DATA_READ: copies up to {@code dst.remaining()} bytes. In PRE_COPY a short count, 0
     * included, means "nothing more right now". In STOP_COPY the buffer is filled except by the
     * last chunk of the stream, and 0 means the stream has ended.
     */
    public synchronized int read(ByteBuffer dst) {
        requireOpen();
        return writer.read(dst, this::nextRecord);
    }

    /**
     * MIG_DATA_READ into a chunk, with the counts of {@link #read(ByteBuffer)}. Pages are lent only in
     * STOP_COPY, where the device is stopped and its state stays as it is until the chunk is sent. In
     * PRE_COPY the device runs: a page could change between its checksum and the send, tearing the
     * record, so everything is copied.
     */
    public synchronized int read(DataChunk chunk) {
        requireOpen();
        if (phase != Phase.STOP_COPY) {
            chunk.stopLending();
        }
        return writer.read(chunk, this::nextRecord);
    }

    private OutgoingRecord nextRecord() {
        if (phase == Phase.PRE_COPY) {
            if (!initial.isEmpty()) {
                return initial.poll();
            }
            return image.bulk().map(this::deltaRecord).orElse(null);
        }
        while (!finalSteps.isEmpty()) {
            OutgoingRecord r = finalSteps.poll().start().get();
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private OutgoingRecord deltaRecord(BulkState bulk) {
        if (bulk.dirty().dirtyPageCount() == 0) {
            return null;
        }
        BitSet dirty = bulk.dirty().takeDirtyPages();
        return dirty.isEmpty() ? null : PageRecord.of(bulk, dirty, sent::set);
    }

    /** What STOP_COPY sends after the record in flight: remaining pages, components, END. */
    private Deque<Step> finalSteps() {
        Deque<Step> steps = new ArrayDeque<>();
        image.bulk().ifPresent(b -> steps.add(new Step(() -> finalPages(b), () -> image.pageRecordBytes(finalPageEstimate(b)))));
        for (StateRecord c : image.components()) {
            steps.add(new Step(c::snapshot, () -> c.snapshot().framedSize()));
        }
        steps.add(new Step(() -> OutgoingRecord.END, OutgoingRecord.END::framedSize));
        return steps;
    }

    private OutgoingRecord finalPages(BulkState bulk) {
        BitSet pages = new BitSet(bulk.pageCount());
        pages.set(0, bulk.pageCount());
        pages.andNot(sent);
        if (tracking) {
            pages.or(bulk.dirty().takeDirtyPages());
        }
        return pages.isEmpty() ? null : PageRecord.of(bulk, pages, sent::set);
    }

    private long finalPageEstimate(BulkState bulk) {
        long unsent = bulk.pageCount() - sent.cardinality();
        long dirty = tracking ? bulk.dirty().dirtyPageCount() : 0;
        return Math.min(bulk.pageCount(), unsent + dirty);
    }

    /** PRE_COPY(_P2P) → STOP_COPY: the device is stopped; from now on the final state is sent. */
    public synchronized void enterStopCopy() {
        requireOpen();
        initial.clear();
        finalSteps = finalSteps();
        phase = Phase.STOP_COPY;
    }

    /** Bytes of the initial image not read yet (pre-copy only; shrinks as the VMM reads). */
    public synchronized long initialBytes() {
        requirePreCopy();
        return Math.max(0, initialSize - writer.produced());
    }

    /** Bytes of change data pending beyond the initial image (pre-copy only; grows with activity). */
    public synchronized long dirtyBytes() {
        requirePreCopy();
        long inFlight = writer.produced() >= initialSize ? writer.pendingInRecord() : 0;
        long dirtyPages = image.bulk().map(b -> b.dirty().dirtyPageCount()).orElse(0L);
        return inFlight + image.pageRecordBytes(dirtyPages);
    }

    /** MIG_DATA_SIZE: the bytes STOP_COPY would still produce from here (an estimate). */
    public synchronized long stopCopySize() {
        if (phase == Phase.CLOSED) {
            return 0;
        }
        long total = writer.pendingInRecord() + (writer.started() ? 0 : StreamLayout.HEADER_SIZE);
        for (Step s : phase == Phase.PRE_COPY ? finalSteps() : finalSteps) {
            total += s.estimate().getAsLong();
        }
        return total;
    }

    /** Whether the END record has been read: the stream is complete. */
    /** The record the next byte handed out belongs to, or -1 between records. */
    public synchronized int recordInFlight() {
        return writer.recordInFlight();
    }

    public synchronized boolean ended() {
        return writer.ended();
    }

    public synchronized boolean inPreCopy() {
        return phase == Phase.PRE_COPY;
    }

    /** Ends the session (arc out of the saving group, or reset); later reads fail with -ENODEV. */
    public synchronized void close() {
        if (phase != Phase.CLOSED && tracking) {
            image.bulk().ifPresent(b -> b.dirty().stopTracking());
        }
        phase = Phase.CLOSED;
    }

    private void requireOpen() {
        if (phase == Phase.CLOSED) {
            throw new DeviceException(Errno.ENODEV, "the save session has ended");
        }
    }

    private void requirePreCopy() {
        requireOpen();
        if (phase != Phase.PRE_COPY) {
            throw new DeviceException(Errno.EINVAL, "pre-copy sizes exist only in PRE_COPY and PRE_COPY_P2P");
        }
    }
}
