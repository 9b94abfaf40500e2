package dev.vfiosim.simulator.fault;

import dev.vfiosim.simulator.fault.FaultEvent.ArcEvent;
import dev.vfiosim.simulator.fault.FaultEvent.CommandEvent;
import dev.vfiosim.simulator.fault.FaultEvent.ConnectionEvent;
import dev.vfiosim.simulator.fault.FaultEvent.DirtyReportEvent;
import dev.vfiosim.simulator.fault.FaultEvent.DmaEvent;
import dev.vfiosim.simulator.fault.FaultEvent.InterruptEvent;
import dev.vfiosim.simulator.fault.FaultEvent.SizeReportEvent;
import dev.vfiosim.simulator.fault.FaultEvent.StreamEvent;
import dev.vfiosim.simulator.irq.IrqType;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Where a rule applies: recognises the {@link FaultEvent}s it covers. An absent optional field
 * matches anything; a present one narrows the site.
 */
public sealed interface FaultSite {
    /** In a command or state name, matches any. */
    String ANY = "*";

    boolean matches(FaultEvent event);

    /** The site's kind as the plan file spells it ({@code command}, {@code arc}, ...). */
    default String kind() {
        return kindOf(getClass());
    }

    /** The plan file's name for a kind of site: the record's name without "Site", lower camel case. */
    static String kindOf(Class<? extends FaultSite> kind) {
        String simple = kind.getSimpleName().replace("Site", "");
        return Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
    }

    /** One line for the summary. */
    String describe();

    enum StreamSide { SAVE, RESUME }

    enum DmaKind { MAP, UNMAP, READ, WRITE }

    /** The sizes a device reports during migration, named as the uAPI fields are. */
    enum SizeKind {
        /** VFIO_DEVICE_FEATURE_MIG_DATA_SIZE. */
        STOP_COPY_LENGTH,
        /** VFIO_MIG_GET_PRECOPY_INFO. */
        INITIAL_BYTES,
        /** VFIO_MIG_GET_PRECOPY_INFO. */
        DIRTY_BYTES;

        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A vfio-user command by name ({@code *} for any). {@code offset} matches a region access whose
     * byte range contains it, so a site can name one register whatever width the client reads it with.
     */
    record CommandSite(String command, OptionalInt region, OptionalLong offset, OptionalInt featureId, OptionalInt irqIndex)
            implements FaultSite {
        public CommandSite {
            FaultPlanException.require(command != null && !command.isEmpty(), "command", "required");
            requireNonNegative(region, "region");
            requireNonNegative(featureId, "featureId");
            requireNonNegative(irqIndex, "irqIndex");
        }

        public static CommandSite of(String command) {
            return new CommandSite(command, OptionalInt.empty(), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
        }

        public CommandSite withRegion(int r) {
            return new CommandSite(command, OptionalInt.of(r), offset, featureId, irqIndex);
        }

        public CommandSite withOffset(long o) {
            return new CommandSite(command, region, OptionalLong.of(o), featureId, irqIndex);
        }

        public CommandSite withFeatureId(int f) {
            return new CommandSite(command, region, offset, OptionalInt.of(f), irqIndex);
        }

        public CommandSite withIrqIndex(int i) {
            return new CommandSite(command, region, offset, featureId, OptionalInt.of(i));
        }

        @Override
        public boolean matches(FaultEvent event) {
            if (!(event instanceof CommandEvent e)) {
                return false;
            }
            return (ANY.equals(command) || command.equals(e.command()))
                    && (region.isEmpty() || region.getAsInt() == e.region())
                    && (offset.isEmpty() || (e.count() > 0 && within(offset.getAsLong(), e.offset(), e.count())))
                    && (featureId.isEmpty() || featureId.getAsInt() == e.featureId())
                    && (irqIndex.isEmpty() || irqIndex.getAsInt() == e.irqIndex());
        }

        @Override
        public String describe() {
            return "command " + command
                    + (region.isPresent() ? " region " + region.getAsInt() : "")
                    + (offset.isPresent() ? " offset 0x" + Long.toHexString(offset.getAsLong()) : "")
                    + (featureId.isPresent() ? " feature " + featureId.getAsInt() : "")
                    + (irqIndex.isPresent() ? " irq index " + irqIndex.getAsInt() : "");
        }
    }

    /** One arc of the migration state machine, by state names; {@code *} on either end matches any state. */
    record ArcSite(String from, String to) implements FaultSite {
        public ArcSite {
            MigrationStateNames.requireState(from, "from", true);
            MigrationStateNames.requireState(to, "to", true);
        }

        @Override
        public boolean matches(FaultEvent event) {
            return event instanceof ArcEvent e
                    && (ANY.equals(from) || from.equals(e.from()))
                    && (ANY.equals(to) || to.equals(e.to()));
        }

        @Override
        public String describe() {
            return "arc " + from + "->" + to;
        }
    }

    /**
     * The migration stream on one side. {@code byteOffset} matches the chunk that contains that byte
     * of the stream; {@code recordTag} the chunk that starts inside a record with that tag;
     * {@code state} the chunks moved while the device is in that state (e.g. only STOP_COPY).
     */
    record StreamSite(StreamSide side, OptionalLong byteOffset, OptionalInt recordTag, Optional<String> state)
            implements FaultSite {
        public StreamSite {
            FaultPlanException.require(side != null, "stream", "required");
            FaultPlanException.require(byteOffset.isEmpty() || byteOffset.getAsLong() >= 0, "byteOffset",
                    "must not be negative, got " + byteOffset.orElse(0));
            requireNonNegative(recordTag, "recordTag");
            state.ifPresent(s -> MigrationStateNames.requireState(s, "state", false));
        }

        public static StreamSite of(StreamSide side) {
            return new StreamSite(side, OptionalLong.empty(), OptionalInt.empty(), Optional.empty());
        }

        public StreamSite withByteOffset(long o) {
            return new StreamSite(side, OptionalLong.of(o), recordTag, state);
        }

        public StreamSite withRecordTag(int t) {
            return new StreamSite(side, byteOffset, OptionalInt.of(t), state);
        }

        public StreamSite withState(String s) {
            return new StreamSite(side, byteOffset, recordTag, Optional.of(s));
        }

        @Override
        public boolean matches(FaultEvent event) {
            if (!(event instanceof StreamEvent e) || e.side() != side) {
                return false;
            }
            boolean atOffset = byteOffset.isEmpty()
                    || (e.length() == 0 ? e.offset() == byteOffset.getAsLong() : within(byteOffset.getAsLong(), e.offset(), e.length()));
            return atOffset
                    && (recordTag.isEmpty() || recordTag.getAsInt() == e.recordTag())
                    && (state.isEmpty() || state.get().equals(e.state()));
        }

        @Override
        public String describe() {
            return side.name().toLowerCase(Locale.ROOT) + " stream"
                    + (byteOffset.isPresent() ? " byte " + byteOffset.getAsLong() : "")
                    + (recordTag.isPresent() ? " record 0x" + Integer.toHexString(recordTag.getAsInt()) : "")
                    + state.map(s -> " in " + s).orElse("");
        }
    }

    /**
     * DMA of one kind whose range overlaps [iovaStart, iovaEnd) (end exclusive; a missing start is 0,
     * a missing end is the top of the 64-bit IOVA space). Addresses compare unsigned.
     */
    record DmaSite(DmaKind dma, OptionalLong iovaStart, OptionalLong iovaEnd) implements FaultSite {
        public DmaSite {
            FaultPlanException.require(dma != null, "dma", "required");
            FaultPlanException.require(iovaStart.isEmpty() || iovaEnd.isEmpty()
                            || Long.compareUnsigned(iovaStart.getAsLong(), iovaEnd.getAsLong()) < 0, "iovaEnd",
                    "must be above iovaStart");
        }

        public static DmaSite of(DmaKind kind) {
            return new DmaSite(kind, OptionalLong.empty(), OptionalLong.empty());
        }

        public DmaSite withRange(long start, long end) {
            return new DmaSite(dma, OptionalLong.of(start), OptionalLong.of(end));
        }

        @Override
        public boolean matches(FaultEvent event) {
            if (!(event instanceof DmaEvent e) || e.kind() != dma) {
                return false;
            }
            // length is unsigned: an unmap of everything is 0 +0xffff_ffff_ffff_ffff
            long last = e.length() == 0 ? e.iova() : e.iova() + e.length() - 1;
            return (iovaEnd.isEmpty() || Long.compareUnsigned(e.iova(), iovaEnd.getAsLong()) < 0)
                    && (iovaStart.isEmpty() || Long.compareUnsigned(last, iovaStart.getAsLong()) >= 0);
        }

        @Override
        public String describe() {
            return "dma " + dma.name().toLowerCase(Locale.ROOT)
                    + (iovaStart.isPresent() || iovaEnd.isPresent()
                    ? " [0x" + Long.toHexString(iovaStart.orElse(0)) + ", "
                    + (iovaEnd.isPresent() ? "0x" + Long.toHexString(iovaEnd.getAsLong()) : "end") + ")"
                    : "");
        }
    }

    /** Interrupts of one type, optionally one vector. */
    record InterruptSite(IrqType interrupt, OptionalInt vector) implements FaultSite {
        public InterruptSite {
            FaultPlanException.require(interrupt != null, "interrupt", "required");
            requireNonNegative(vector, "vector");
        }

        public static InterruptSite of(IrqType type) {
            return new InterruptSite(type, OptionalInt.empty());
        }

        public InterruptSite withVector(int v) {
            return new InterruptSite(interrupt, OptionalInt.of(v));
        }

        @Override
        public boolean matches(FaultEvent event) {
            return event instanceof InterruptEvent e && e.type() == interrupt
                    && (vector.isEmpty() || vector.getAsInt() == e.vector());
        }

        @Override
        public String describe() {
            return "interrupt " + interrupt + (vector.isPresent() ? " vector " + vector.getAsInt() : "");
        }
    }

    /** Every message on the connection, whatever its command. */
    record ConnectionSite() implements FaultSite {
        @Override
        public boolean matches(FaultEvent event) {
            return event instanceof ConnectionEvent;
        }

        @Override
        public String describe() {
            return "connection";
        }
    }

    /** One of the sizes the device reports during migration. */
    record SizeReportSite(SizeKind sizeReport) implements FaultSite {
        public SizeReportSite {
            FaultPlanException.require(sizeReport != null, "sizeReport", "required");
        }

        @Override
        public boolean matches(FaultEvent event) {
            return event instanceof SizeReportEvent e && e.which() == sizeReport;
        }

        @Override
        public String describe() {
            return "size report " + sizeReport.jsonName();
        }
    }

    /** Every DMA logging REPORT. */
    record DirtyReportSite() implements FaultSite {
        @Override
        public boolean matches(FaultEvent event) {
            return event instanceof DirtyReportEvent;
        }

        @Override
        public String describe() {
            return "dirty report";
        }
    }

    /** Whether {@code point} lies in [start, start+length), unsigned, without overflowing at 2^64. */
    private static boolean within(long point, long start, long length) {
        return Long.compareUnsigned(point - start, length) < 0;
    }

    private static void requireNonNegative(OptionalInt value, String field) {
        FaultPlanException.require(value.isEmpty() || value.getAsInt() >= 0, field,
                "must not be negative, got " + (value.isPresent() ? value.getAsInt() : 0));
    }
}
