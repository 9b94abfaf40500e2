package dev.vfiosim.simulator.fault;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.fault.FaultEvent.ArcEvent;
import dev.vfiosim.simulator.fault.FaultEvent.SizeReportEvent;
import dev.vfiosim.simulator.fault.FaultEvent.StreamEvent;
import dev.vfiosim.simulator.fault.FaultSite.SizeKind;
import dev.vfiosim.simulator.fault.FaultSite.StreamSide;
import dev.vfiosim.simulator.migration.Arc;
import dev.vfiosim.simulator.migration.DataChunk;
import dev.vfiosim.simulator.migration.DeviceBrokenException;
import dev.vfiosim.simulator.migration.MigrationData;
import dev.vfiosim.simulator.migration.MigrationState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A device misbehaving on purpose during migration, as a fault plan asks, as a decorator around its
 * {@link MigrationData} and its arcs: failing or slowing arcs ({@link #beforeArc}), breaking the P2P
 * quiesce ({@link #takeP2pBreak}), short, empty, early-ending, corrupted or truncated stream data on
 * either side, and lying sizes. The device behind it knows nothing of faults, so it works the same
 * for every device model and either migration style. Costs one volatile read per call when no plan
 * is active.
 */
public final class FaultingMigration implements MigrationData {
    private final MigrationData real;
    private final Supplier<MigrationState> state;
    private volatile FaultInjector faults = FaultInjector.NONE;
    private long saveOffset;
    private boolean saveEnded;
    private long resumeOffset;
    private boolean resumeTruncated;
    private Duration p2pBreak;

    /** Decorates {@code real}; {@code state} is the device's migration state, read before each data call. */
    public FaultingMigration(MigrationData real, Supplier<MigrationState> state) {
        this.real = real;
        this.state = state;
    }

    /** Misbehave as {@code injector}'s plan says; {@link FaultInjector#NONE} to behave. */
    public void use(FaultInjector injector) {
        this.faults = injector;
    }

    /** Whether the arc opens a save or resume session (its stream starts at byte 0). */
    public static boolean opensSession(Arc arc) {
        return arc == Arc.RUNNING_TO_PRE_COPY || arc == Arc.RUNNING_P2P_TO_PRE_COPY_P2P || arc == Arc.STOP_TO_STOP_COPY
                || arc == Arc.STOP_TO_RESUMING;
    }

    /** A new save or resume session starts at byte 0 of its stream. */
    private synchronized void sessionStarted() {
        saveOffset = 0;
        saveEnded = false;
        resumeOffset = 0;
        resumeTruncated = false;
    }

    /**
     * Before an arc (the state machine's before-arc hook): FailArc refuses it (into ERROR when
     * asked), Delay slows it, BreakP2pQuiesce arms the break; an arc opening a session restarts the
     * stream offsets.
     */
    public void beforeArc(Arc arc) {
        if (opensSession(arc)) {
            sessionStarted();
        }
        Optional<FiredFault> fired = check(ArcEvent.of(arc.from().value(), arc.to().value()));
        if (fired.isEmpty()) {
            return;
        }
        FaultAction action = fired.get().action();
        if (action instanceof FaultAction.FailArc fail) {
            String why = "fault rule " + fired.get().ruleId() + " fails arc " + arc;
            throw fail.toError() ? new DeviceBrokenException(fail.errno(), why) : new DeviceException(fail.errno(), why);
        } else if (action instanceof FaultAction.Delay delay) {
            sleep(delay.delay());
        } else if (action instanceof FaultAction.BreakP2pQuiesce broken
                && (arc.to() == MigrationState.RUNNING_P2P || arc.to() == MigrationState.PRE_COPY_P2P)) {
            synchronized (this) {
                p2pBreak = broken.breakP2pQuiesce();
            }
        }
    }

    /** How long the P2P quiesce about to happen should be skipped (consumed), or null to quiesce. */
    public synchronized Duration takeP2pBreak() {
        Duration d = p2pBreak;
        p2pBreak = null;
        return d;
    }

    @Override
    public int read(ByteBuffer dst) {
        // taken first: never hold the fault lock while waiting for the machine
        MigrationState now = state.get();
        return read(dst, now, tagOf(real.recordInFlight()));
    }

    /**
     * MIG_DATA_READ into a chunk: with a fault plan active the chunk is filled by the copying read,
     * so that every save-side fault (short reads, corruption, truncation) acts on the bytes exactly as
     * before; without one the device may lend its memory.
     */
    @Override
    public int read(DataChunk chunk) {
        if (faults.active()) {
            return chunk.readInline(this::read);
        }
        return readUnfaulted(chunk);
    }

    private synchronized int readUnfaulted(DataChunk chunk) {
        if (saveEnded) {
            return 0;
        }
        int n = real.read(chunk);
        saveOffset += n;
        return n;
    }

    @Override
    public void write(ByteBuffer src) {
        MigrationState now = state.get();
        write(src, now, tagOf(real.recordInFlight()));
    }

    @Override
    public long stopCopySize() {
        return size(SizeKind.STOP_COPY_LENGTH, real.stopCopySize());
    }

    @Override
    public long initialBytes() {
        return size(SizeKind.INITIAL_BYTES, real.initialBytes());
    }

    @Override
    public long dirtyBytes() {
        return size(SizeKind.DIRTY_BYTES, real.dirtyBytes());
    }

    @Override
    public int recordInFlight() {
        return real.recordInFlight();
    }

    private static int tagOf(int recordInFlight) {
        return recordInFlight < 0 ? FaultEvent.NONE : recordInFlight;
    }

    /** MIG_DATA_READ through the save-side faults. */
    private synchronized int read(ByteBuffer dst, MigrationState state, int recordTag) {
        if (saveEnded) {
            return 0;
        }
        Optional<FiredFault> fired = check(new StreamEvent(StreamSide.SAVE, saveOffset, dst.remaining(), recordTag,
                state.name()));
        FaultAction action = fired.map(FiredFault::action).orElse(null);
        int n;
        if (action instanceof FaultAction.ReplyErrno errno) {
            throw new DeviceException(errno.errno(), "fault rule " + fired.get().ruleId() + " fails MIG_DATA_READ");
        } else if (action instanceof FaultAction.ZeroRead || action instanceof FaultAction.TemporaryEnd) {
            return 0;
        } else if (action instanceof FaultAction.EarlyEnd) {
            saveEnded = true;
            return 0;
        } else if (action instanceof FaultAction.ShortRead shortRead) {
            n = real.read(dst.slice(dst.position(), Math.min(shortRead.maxBytes(), dst.remaining())));
            dst.position(dst.position() + n);
        } else if (action instanceof FaultAction.TruncateStream) {
            int keep = (int) (fired.get().streamByteOffset() - saveOffset);
            n = real.read(dst.slice(dst.position(), keep));
            dst.position(dst.position() + n);
            saveEnded = n == keep;
        } else {
            if (action instanceof FaultAction.Delay delay) {
                sleep(delay.delay());
            }
            int start = dst.position();
            n = real.read(dst);
            if (action instanceof FaultAction.CorruptStream corrupt) {
                long at = fired.get().streamByteOffset() - saveOffset;
                if (at >= 0 && at < n) {
                    dst.put(start + (int) at, (byte) (dst.get(start + (int) at) ^ corrupt.xorMask()));
                }
            }
        }
        saveOffset += n;
        return n;
    }

    /** MIG_DATA_WRITE through the resume-side faults. */
    private synchronized void write(ByteBuffer src, MigrationState state, int recordTag) {
        int length = src.remaining();
        if (resumeTruncated) {
            src.position(src.limit());
            resumeOffset += length;
            return;
        }
        Optional<FiredFault> fired = check(new StreamEvent(StreamSide.RESUME, resumeOffset, length, recordTag,
                state.name()));
        FaultAction action = fired.map(FiredFault::action).orElse(null);
        if (action instanceof FaultAction.ReplyErrno errno) {
            throw new DeviceException(errno.errno(), "fault rule " + fired.get().ruleId() + " fails MIG_DATA_WRITE");
        } else if (action instanceof FaultAction.Delay delay) {
            sleep(delay.delay());
        }
        if (action instanceof FaultAction.CorruptStream corrupt) {
            ByteBuffer copy = ByteBuffer.allocate(length);
            copy.put(src).flip();
            int at = (int) (fired.get().streamByteOffset() - resumeOffset);
            copy.put(at, (byte) (copy.get(at) ^ corrupt.xorMask()));
            real.write(copy);
        } else if (action instanceof FaultAction.TruncateStream) {
            int keep = (int) (fired.get().streamByteOffset() - resumeOffset);
            real.write(src.slice(src.position(), keep));
            src.position(src.limit());
            resumeTruncated = true;
        } else {
            real.write(src);
        }
        resumeOffset += length;
    }

    private long size(SizeKind which, long actual) {
        FaultInjector f = faults;
        return f.active() ? f.reportedSize(new SizeReportEvent(which, actual)) : actual;
    }

    private Optional<FiredFault> check(FaultEvent event) {
        FaultInjector f = faults;
        return f.active() ? f.check(event) : Optional.empty();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
