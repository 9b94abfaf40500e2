package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.fault.FaultAction;
import dev.vfiosim.simulator.fault.FaultEvent;
import dev.vfiosim.simulator.fault.FaultEvent.ArcEvent;
import dev.vfiosim.simulator.fault.FaultEvent.SizeReportEvent;
import dev.vfiosim.simulator.fault.FaultEvent.StreamEvent;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FaultSite.SizeKind;
import dev.vfiosim.simulator.fault.FaultSite.StreamSide;
import dev.vfiosim.simulator.fault.FiredFault;
import dev.vfiosim.simulator.migration.Arc;
import dev.vfiosim.simulator.migration.DeviceBrokenException;
import dev.vfiosim.simulator.migration.MigrationState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * The device misbehaving on purpose during migration, as a fault plan asks: failing or slowing
 * arcs, breaking the P2P quiesce, short, empty, early-ending, corrupted or truncated stream data on
 * either side, and lying sizes. Costs one volatile read per call when no plan is active.
 */
final class MigrationFaults {
    private volatile FaultInjector faults = FaultInjector.NONE;
    private long saveOffset;
    private boolean saveEnded;
    private long resumeOffset;
    private boolean resumeTruncated;
    private Duration p2pBreak;

    void use(FaultInjector injector) {
        this.faults = injector;
    }

    /** A new save or resume session starts at byte 0 of its stream. */
    synchronized void sessionStarted() {
        saveOffset = 0;
        saveEnded = false;
        resumeOffset = 0;
        resumeTruncated = false;
    }

    /** Before an arc: FailArc refuses it (into ERROR when asked), Delay slows it, BreakP2pQuiesce arms the break. */
    void beforeArc(Arc arc) {
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
    synchronized Duration takeP2pBreak() {
        Duration d = p2pBreak;
        p2pBreak = null;
        return d;
    }

    /** MIG_DATA_READ through the save-side faults; {@code read} is the real read. */
    synchronized int read(ByteBuffer dst, ToIntFunction<ByteBuffer> read, MigrationState state, int recordTag) {
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
            n = read.applyAsInt(dst.slice(dst.position(), Math.min(shortRead.maxBytes(), dst.remaining())));
            dst.position(dst.position() + n);
        } else if (action instanceof FaultAction.TruncateStream) {
            int keep = (int) (fired.get().streamByteOffset() - saveOffset);
            n = read.applyAsInt(dst.slice(dst.position(), keep));
            dst.position(dst.position() + n);
            saveEnded = n == keep;
        } else {
            if (action instanceof FaultAction.Delay delay) {
                sleep(delay.delay());
            }
            int start = dst.position();
            n = read.applyAsInt(dst);
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

    /** MIG_DATA_WRITE through the resume-side faults; {@code write} is the real write. */
    synchronized void write(ByteBuffer src, Consumer<ByteBuffer> write, MigrationState state, int recordTag) {
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
            write.accept(copy);
        } else if (action instanceof FaultAction.TruncateStream) {
            int keep = (int) (fired.get().streamByteOffset() - resumeOffset);
            write.accept(src.slice(src.position(), keep));
            src.position(src.limit());
            resumeTruncated = true;
        } else {
            write.accept(src);
        }
        resumeOffset += length;
    }

    long size(SizeKind which, long actual) {
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
