package dev.vfiosim.simulator.fault;

import dev.vfiosim.simulator.fault.FaultSite.DmaKind;
import dev.vfiosim.simulator.fault.FaultSite.SizeKind;
import dev.vfiosim.simulator.fault.FaultSite.StreamSide;
import dev.vfiosim.simulator.irq.IrqType;

/**
 * What an injection point is about to do, described so that a {@link FaultSite} can recognise it.
 * The injection points construct these (only when {@link FaultInjector#active()} says a plan could
 * fire, so that the hot paths allocate nothing when faults are off) and hand them to
 * {@link FaultInjector#check(FaultEvent)}.
 */
public sealed interface FaultEvent {
    /** Marks a numeric field that the event does not have (a command without a region, ...). */
    int NONE = -1;

    /** One line for the fault log and the fired-fault record. */
    String describe();

    /**
     * A vfio-user command the server is about to answer. {@code offset}/{@code count} are the byte
     * range of a region access (count 0 when the command accesses no region); the other numbers are
     * {@link #NONE} when the command does not carry them.
     */
    record CommandEvent(String command, int region, long offset, long count, int featureId, int irqIndex)
            implements FaultEvent {
        public static CommandEvent of(String command) {
            return new CommandEvent(command, NONE, 0, 0, NONE, NONE);
        }

        /** REGION_READ, REGION_WRITE (and each access of REGION_WRITE_MULTI). */
        public static CommandEvent regionAccess(String command, int region, long offset, long count) {
            return new CommandEvent(command, region, offset, count, NONE, NONE);
        }

        /** DEVICE_FEATURE with its feature index (the low 16 bits of its flags). */
        public static CommandEvent feature(int featureId) {
            return new CommandEvent("DEVICE_FEATURE", NONE, 0, 0, featureId, NONE);
        }

        /** DEVICE_GET_IRQ_INFO and DEVICE_SET_IRQS with their irq index. */
        public static CommandEvent irqs(String command, int irqIndex) {
            return new CommandEvent(command, NONE, 0, 0, NONE, irqIndex);
        }

        @Override
        public String describe() {
            StringBuilder s = new StringBuilder(command);
            if (region != NONE) {
                s.append(" region ").append(region);
            }
            if (count > 0) {
                s.append(" [0x").append(Long.toHexString(offset)).append(" +").append(count).append(']');
            }
            if (featureId != NONE) {
                s.append(" feature ").append(featureId);
            }
            if (irqIndex != NONE) {
                s.append(" irq index ").append(irqIndex);
            }
            return s.toString();
        }
    }

    /** One arc of a state change, as the kernel composes it (RUNNING→STOP_COPY is three arcs). */
    record ArcEvent(String from, String to) implements FaultEvent {
        public static ArcEvent of(int fromValue, int toValue) {
            return new ArcEvent(MigrationStateNames.of(fromValue), MigrationStateNames.of(toValue));
        }

        @Override
        public String describe() {
            return "arc " + from + "->" + to;
        }
    }

    /**
     * A chunk of migration data: read by the client (SAVE side, MIG_DATA_READ) or written by it
     * (RESUME side, MIG_DATA_WRITE). {@code offset} is the chunk's position in the whole stream,
     * {@code recordTag} the tag of the record the chunk starts in ({@link #NONE} when unknown),
     * {@code state} the device's migration state name at the time (null when unknown).
     */
    record StreamEvent(StreamSide side, long offset, int length, int recordTag, String state) implements FaultEvent {
        @Override
        public String describe() {
            return side.name().toLowerCase() + " stream [" + offset + " +" + length + "]"
                    + (recordTag != NONE ? " record 0x" + Integer.toHexString(recordTag) : "")
                    + (state != null ? " in " + state : "");
        }
    }

    /** A DMA map/unmap request from the client, or a DMA read/write by the device, over [iova, iova+length). */
    record DmaEvent(DmaKind kind, long iova, long length) implements FaultEvent {
        @Override
        public String describe() {
            return "dma " + kind.name().toLowerCase() + " [0x" + Long.toHexString(iova) + " +0x" + Long.toHexString(length) + "]";
        }
    }

    /** The device is about to signal an interrupt. */
    record InterruptEvent(IrqType type, int vector) implements FaultEvent {
        @Override
        public String describe() {
            return "interrupt " + type + " vector " + vector;
        }
    }

    /** The server is about to answer the connection's {@code messageNumber}-th message (1-based). */
    record ConnectionEvent(long messageNumber) implements FaultEvent {
        @Override
        public String describe() {
            return "connection message #" + messageNumber;
        }
    }

    /** The device is about to report a size: {@code actual} is the true value it would report. */
    record SizeReportEvent(SizeKind which, long actual) implements FaultEvent {
        @Override
        public String describe() {
            return which.jsonName() + " report (actual " + actual + ")";
        }
    }

    /** A DMA logging REPORT over [iova, iova+length) that found {@code dirtyPages} dirty pages. */
    record DirtyReportEvent(long iova, long length, long dirtyPages) implements FaultEvent {
        @Override
        public String describe() {
            return "dirty report [0x" + Long.toHexString(iova) + " +0x" + Long.toHexString(length) + "] " + dirtyPages + " dirty pages";
        }
    }
}
