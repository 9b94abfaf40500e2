package dev.vfiosim.simulator.fault;

import dev.vfiosim.simulator.DeviceThreads;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.fault.FaultSite.ArcSite;
import dev.vfiosim.simulator.fault.FaultSite.CommandSite;
import dev.vfiosim.simulator.fault.FaultSite.ConnectionSite;
import dev.vfiosim.simulator.fault.FaultSite.DirtyReportSite;
import dev.vfiosim.simulator.fault.FaultSite.DmaKind;
import dev.vfiosim.simulator.fault.FaultSite.DmaSite;
import dev.vfiosim.simulator.fault.FaultSite.InterruptSite;
import dev.vfiosim.simulator.fault.FaultSite.SizeReportSite;
import dev.vfiosim.simulator.fault.FaultSite.StreamSide;
import dev.vfiosim.simulator.fault.FaultSite.StreamSite;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What the injection point does instead of (or on top of) its normal work when a rule fires. The
 * actions are data: the injection point that receives one carries it out. Record components are
 * named as the plan file's keys, so a complaint about one names the key the user wrote.
 */
public sealed interface FaultAction {
    /** The action's name as the plan file spells it. */
    String name();

    /** One line for the log and the summary. */
    String describe();

    /** Throws a {@link FaultPlanException} on field {@code what} (or {@code where.x}) when the action means nothing at this site. */
    void checkFits(FaultSite site);

    /** Reply to the command with this errno instead of carrying it out. */
    record ReplyErrno(Errno errno) implements FaultAction {
        public ReplyErrno {
            FaultPlanException.require(errno != null, "errno", "required");
        }

        @Override
        public String name() {
            return "replyErrno";
        }

        @Override
        public String describe() {
            return "reply " + errno;
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, CommandSite.class, DmaSite.class, StreamSite.class);
            if (site instanceof DmaSite d) {
                require(d.dma() == DmaKind.MAP || d.dma() == DmaKind.UNMAP, "what",
                        "replyErrno answers the client's dma map/unmap; for the device's own dma " + d.dma().name().toLowerCase()
                                + " use dmaError");
            }
        }
    }

    /**
     * Fail the arc: the SET that composed it answers {@code errno} and the device stays in the arc's
     * from-state (the kernel's partial-path semantics), or goes to ERROR when {@code toError}.
     */
    record FailArc(boolean toError, Errno errno) implements FaultAction {
        public FailArc {
            FaultPlanException.require(errno != null, "errno", "required");
        }

        @Override
        public String name() {
            return "failArc";
        }

        @Override
        public String describe() {
            return "fail arc with " + errno + (toError ? ", device to ERROR" : ", device stays");
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, ArcSite.class);
        }
    }

    /** Hold the reply, the arc, the chunk, the DMA or the interrupt back for this long, then carry on. */
    record Delay(Duration delay) implements FaultAction {
        private static final Duration LONGEST_HOLD = Duration.ofNanos(Long.MAX_VALUE);

        public Delay {
            FaultPlanException.require(delay != null && !delay.isNegative(), "delay", "must be a duration of 0 or more");
        }

        /**
         * Holds the calling thread back for the delay, at an injection point that carries on afterwards.
         * An interrupt cuts the wait short and stays set, so the caller's own shutdown still sees it.
         */
        public void hold() {
            try {
                // saturate: a plan's "delay" of centuries must hold, not throw ArithmeticException on the device thread
                long nanos = delay.compareTo(LONGEST_HOLD) >= 0 ? Long.MAX_VALUE : delay.toNanos();
                // on a shared device thread: a spare one serves the other devices meanwhile
                DeviceThreads.block(() -> TimeUnit.NANOSECONDS.sleep(nanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String name() {
            return "delay";
        }

        @Override
        public String describe() {
            return "delay " + DurationText.format(delay);
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, CommandSite.class, ArcSite.class, StreamSite.class, DmaSite.class,
                    InterruptSite.class, ConnectionSite.class);
        }
    }

    /** Answer a MIG_DATA_READ with at most {@code maxBytes} bytes (short reads are legal; the reader must loop). */
    record ShortRead(int maxBytes) implements FaultAction {
        public ShortRead {
            FaultPlanException.require(maxBytes >= 1, "maxBytes", "must be at least 1, got " + maxBytes);
        }

        @Override
        public String name() {
            return "shortRead";
        }

        @Override
        public String describe() {
            return "short read of at most " + maxBytes + " bytes";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSaveSide(this, site);
        }
    }

    /** Answer a MIG_DATA_READ with 0 bytes although data remains (a spurious end of stream in PRE_COPY, as mtty does). */
    record ZeroRead() implements FaultAction {
        @Override
        public String name() {
            return "zeroRead";
        }

        @Override
        public String describe() {
            return "zero-length read";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSaveSide(this, site);
        }
    }

    /** End the save stream here: this read and every later one returns 0 bytes (EOF too early in STOP_COPY). */
    record EarlyEnd() implements FaultAction {
        @Override
        public String name() {
            return "earlyEnd";
        }

        @Override
        public String describe() {
            return "early end of data";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSaveSide(this, site);
        }
    }

    /** Answer ENOMSG ("no data now, more later"), which the uAPI forbids in STOP_COPY. */
    record TemporaryEnd() implements FaultAction {
        @Override
        public String name() {
            return "temporaryEnd";
        }

        @Override
        public String describe() {
            return "temporary end (ENOMSG)";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSaveSide(this, site);
        }
    }

    /** Flip the bits of {@code xorMask} in the stream byte the site's {@code byteOffset} names. */
    record CorruptStream(int xorMask) implements FaultAction {
        public CorruptStream {
            FaultPlanException.require(xorMask >= 1 && xorMask <= 0xFF, "xorMask", "must be between 1 and 255, got " + xorMask);
        }

        /** Flips the target byte if it lies in {@code chunk}, which holds the stream from {@code chunkOffset}. */
        public void applyTo(byte[] chunk, int from, int length, long chunkOffset, long target) {
            long at = target - chunkOffset;
            if (at >= 0 && at < length) {
                chunk[from + (int) at] ^= (byte) xorMask;
            }
        }

        @Override
        public String name() {
            return "corrupt";
        }

        @Override
        public String describe() {
            return "corrupt with xor 0x" + Integer.toHexString(xorMask);
        }

        @Override
        public void checkFits(FaultSite site) {
            requireByteOffset(this, site);
        }
    }

    /** Drop the stream from the site's {@code byteOffset} on: the chunk is cut there and nothing after it is delivered. */
    record TruncateStream() implements FaultAction {
        @Override
        public String name() {
            return "truncate";
        }

        @Override
        public String describe() {
            return "truncate";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireByteOffset(this, site);
        }
    }

    /** Report a size that is not the truth. */
    record LieSize(Mode mode, double fraction, long value) implements FaultAction {
        /** What "huge" reports: 1 TiB, large enough that no VMM's downtime limit converges. */
        public static final long HUGE = 1L << 40;

        public enum Mode {
            /** Report 0. */
            ZERO,
            /** Report {@link #HUGE}. */
            HUGE,
            /** Report {@code fraction} of the truth (far below it when small). */
            FRACTION,
            /** Report {@code value}. */
            VALUE,
            /** Never report less than the largest value reported since the rule first fired: initial or dirty bytes that never shrink. */
            FREEZE
        }

        public LieSize {
            FaultPlanException.require(mode != null, "mode", "required");
            FaultPlanException.require(mode != Mode.FRACTION ? fraction == 0 : fraction > 0 && fraction < 1, "fraction",
                    mode == Mode.FRACTION ? "must be above 0 and below 1, got " + fraction : "only goes with mode FRACTION");
            FaultPlanException.require(mode != Mode.VALUE ? value == 0 : value >= 0, "value",
                    mode == Mode.VALUE ? "must not be negative, got " + value : "only goes with mode VALUE");
        }

        public static LieSize of(Mode mode) {
            return new LieSize(mode, 0, 0);
        }

        public static LieSize fractionOf(double fraction) {
            return new LieSize(Mode.FRACTION, fraction, 0);
        }

        public static LieSize valueOf(long value) {
            return new LieSize(Mode.VALUE, 0, value);
        }

        /** The size to report, given the truth and the largest size this rule has reported before. */
        public long reported(long actual, long highWater) {
            return switch (mode) {
                case ZERO -> 0;
                case HUGE -> HUGE;
                case FRACTION -> (long) (actual * fraction);
                case VALUE -> value;
                case FREEZE -> Math.max(actual, highWater);
            };
        }

        @Override
        public String name() {
            return "lieSize";
        }

        @Override
        public String describe() {
            return "lie size " + switch (mode) {
                case FRACTION -> "x" + fraction;
                case VALUE -> "= " + value;
                default -> mode.name().toLowerCase();
            };
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, SizeReportSite.class);
        }
    }

    /** Do not signal the interrupt. */
    record DropInterrupt() implements FaultAction {
        @Override
        public String name() {
            return "dropInterrupt";
        }

        @Override
        public String describe() {
            return "drop interrupt";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, InterruptSite.class);
        }
    }

    /** Signal the interrupt twice. */
    record DuplicateInterrupt() implements FaultAction {
        @Override
        public String name() {
            return "duplicateInterrupt";
        }

        @Override
        public String describe() {
            return "duplicate interrupt";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, InterruptSite.class);
        }
    }

    /** Leave dirty pages out of a DMA logging REPORT: {@code count} of them, or {@code fraction} of them (exactly one is set). */
    record OmitDirtyPages(long count, double fraction) implements FaultAction {
        public OmitDirtyPages {
            FaultPlanException.require((count > 0) != (fraction > 0), "",
                    "give exactly one of count (at least 1) or fraction (above 0, at most 1)");
            FaultPlanException.require(count >= 0, "count", "must be at least 1, got " + count);
            FaultPlanException.require(fraction >= 0 && fraction <= 1, "fraction", "must be above 0 and at most 1, got " + fraction);
        }

        public static OmitDirtyPages count(long pages) {
            return new OmitDirtyPages(pages, 0);
        }

        public static OmitDirtyPages fraction(double fraction) {
            return new OmitDirtyPages(0, fraction);
        }

        /** How many of {@code dirtyPages} to leave out (a fraction rounds up, so any dirty page can be lost). */
        public long pagesToOmit(long dirtyPages) {
            return count > 0 ? Math.min(count, dirtyPages) : (long) Math.ceil(dirtyPages * fraction);
        }

        /** Clears the lowest {@link #pagesToOmit} set bits of a report bitmap: deterministic, so a run can be replayed. */
        public void applyTo(BitSet dirty) {
            long left = pagesToOmit(dirty.cardinality());
            for (int bit = dirty.nextSetBit(0); bit >= 0 && left > 0; bit = dirty.nextSetBit(bit + 1), left--) {
                dirty.clear(bit);
            }
        }

        @Override
        public String name() {
            return "omitDirtyPages";
        }

        @Override
        public String describe() {
            return "omit " + (count > 0 ? count + " dirty pages" : fraction + " of dirty pages");
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, DirtyReportSite.class);
        }
    }

    /** The device's DMA read or write fails (as an unmapped or faulting IOVA would). */
    record DmaError() implements FaultAction {
        @Override
        public String name() {
            return "dmaError";
        }

        @Override
        public String describe() {
            return "dma error";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, DmaSite.class);
            DmaKind k = ((DmaSite) site).dma();
            require(k == DmaKind.READ || k == DmaKind.WRITE, "what",
                    "dmaError fails the device's dma read/write; for the client's dma " + k.name().toLowerCase() + " use replyErrno");
        }
    }

    /** After the arc into a P2P state returns, keep doing DMA for this long: the quiesce the P2P states promise is broken. */
    record BreakP2pQuiesce(Duration breakP2pQuiesce) implements FaultAction {
        public BreakP2pQuiesce {
            FaultPlanException.require(breakP2pQuiesce != null && !breakP2pQuiesce.isNegative() && !breakP2pQuiesce.isZero(),
                    "breakP2pQuiesce", "must be a duration above 0");
        }

        @Override
        public String name() {
            return "breakP2pQuiesce";
        }

        @Override
        public String describe() {
            return "keep doing DMA for " + DurationText.format(breakP2pQuiesce) + " after the arc";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, ArcSite.class);
            String to = ((ArcSite) site).to();
            require(to.equals("RUNNING_P2P") || to.equals("PRE_COPY_P2P"), "where.arc.to",
                    "breakP2pQuiesce needs an arc into RUNNING_P2P or PRE_COPY_P2P, got " + to);
        }
    }

    /** Close the connection instead of replying; {@code midMessage}: after sending only part of the reply. */
    record CloseConnection(boolean midMessage) implements FaultAction {
        @Override
        public String name() {
            return "closeConnection";
        }

        @Override
        public String describe() {
            return midMessage ? "close the connection mid-reply" : "close the connection";
        }

        @Override
        public void checkFits(FaultSite site) {
            requireSite(this, site, CommandSite.class, ConnectionSite.class);
        }
    }

    @SafeVarargs
    private static void requireSite(FaultAction action, FaultSite site, Class<? extends FaultSite>... fits) {
        for (Class<? extends FaultSite> kind : fits) {
            if (kind.isInstance(site)) {
                return;
            }
        }
        List<String> names = Arrays.stream(fits).map(FaultSite::kindOf).collect(Collectors.toList());
        String choices = names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        throw new FaultPlanException("what", action.name() + " applies to a " + choices + " site, not to this " + site.kind() + " site");
    }

    private static void requireSaveSide(FaultAction action, FaultSite site) {
        requireSite(action, site, StreamSite.class);
        require(((StreamSite) site).side() == StreamSide.SAVE, "what",
                action.name() + " shapes what the client reads, so it needs the save side of the stream");
    }

    private static void requireByteOffset(FaultAction action, FaultSite site) {
        requireSite(action, site, StreamSite.class);
        require(((StreamSite) site).byteOffset().isPresent(), "where.byteOffset",
                "required by " + action.name() + ": it names the byte where the stream is damaged");
    }

    private static void require(boolean ok, String field, String reason) {
        FaultPlanException.require(ok, field, reason);
    }
}
