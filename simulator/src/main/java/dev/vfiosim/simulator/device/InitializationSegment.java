package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.device.state.StateRecordDeclaration;
import dev.vfiosim.simulator.pci.DwordRegisterBlock;
import java.util.function.LongSupplier;

/**
 * The mlx5 initialisation segment at BAR0 0x0000-0x0FFF: firmware identity, where the driver put
 * the command queue, the command doorbell, the "still initialising" flag and the health buffer.
 * Device-owned state. Registers are big-endian, as mlx5's (the BAR swaps byte lanes).
 *
 * <pre>
 * off    register               access                                        reset
 * 0x000  fw_rev                 RO: 15:0 major, 31:16 minor                   0x00270016 (22.39)
 * 0x004  cmdif_rev_fw_sub_minor RO: 15:0 fw sub-minor, 31:16 cmd i/f rev (5)  0x000503F2
 * 0x010  cmdq_phys_addr_high    RW: command queue address bits 63:32           0
 * 0x014  cmdq_phys_addr_low     31:12 RW address bits 31:12; 11:8 RO 0;        0x00000056
 *                               7:4 RO log_cmdq_size (5); 3:0 RO log_cmdq_stride (6)
 * 0x018  cmd_dbell              WO (reads 0): bit n rings command slot n; latched until executed,
 *                               and the engine is woken
 * 0x1FC  initializing           31 RO: 1 from reset until the boot delay has passed (the
 *                               device clears it itself, as firmware does); 25:24 RW nic_interface   0x80000000
 * 0x200-0x23F health buffer     RO 0: assert variables, fw_ver, hw_id, rfr, irisc index, synd (0x23D),
 *                               ext_synd: all zero = healthy
 * others                        RO 0
 * </pre>
 * The driver waits for {@code initializing} to clear before it writes the command queue address
 * and again after; bits 10:8 of cmdq_phys_addr_low (nic interface state) read 0 = "full driver".
 * </pre>
 */
public final class InitializationSegment implements DwordRegisterBlock {
    public static final int FW_REV = 0x000;
    public static final int CMDIF_REV_FW_SUB_MINOR = 0x004;
    public static final int CMDQ_ADDR_HIGH = 0x010;
    public static final int CMDQ_ADDR_LOW = 0x014;
    public static final int CMD_DOORBELL = 0x018;
    public static final int INITIALIZING = 0x1FC;
    public static final int HEALTH_BUFFER = 0x200;
    public static final int HEALTH_BUFFER_END = 0x240;
    /** The default time from reset until {@code initializing} clears. */
    public static final long DEFAULT_BOOT_DELAY_NANOS = 10_000_000L;

    public static final int FW_MAJOR = 22;
    public static final int FW_MINOR = 39;
    public static final int FW_SUB_MINOR = 1010;
    public static final int CMD_INTERFACE_REVISION = 5;
    public static final int LOG_CMDQ_SIZE = 5;
    public static final int LOG_CMDQ_STRIDE = 6;
    public static final int CMDQ_ADDR_LOW_WRITABLE = 0xFFFF_F000;
    public static final int INITIALIZING_FLAG = 1 << 31;
    public static final int NIC_INTERFACE = 0b11 << 24;

    private static final int HIGH_HALF = 16;
    private static final int LOG_CMDQ_SIZE_SHIFT = 4;
    private static final long DWORD_MASK = 0xFFFF_FFFFL;

    private int cmdqAddressHigh;
    private int cmdqAddressLow;
    private boolean cmdqHighWritten;
    private boolean cmdqLowWritten;
    private boolean initializing;
    private int nicInterface;
    private int rungCommands;
    private Runnable commandDoorbell = () -> { };
    private final LongSupplier sinceReset;
    private final long bootDelayNanos;

    /** A segment that is ready at once (no boot delay): for tests of the registers alone. */
    public InitializationSegment() {
        this(() -> Long.MAX_VALUE, 0);
    }

    /**
     * @param sinceReset nanoseconds since the function's last reset (the device clock)
     * @param bootDelayNanos how long after reset the device stays {@code initializing}
     */
    public InitializationSegment(LongSupplier sinceReset, long bootDelayNanos) {
        if (bootDelayNanos < 0) {
            throw new IllegalArgumentException("negative boot delay " + bootDelayNanos);
        }
        this.sinceReset = sinceReset;
        this.bootDelayNanos = bootDelayNanos;
        reset();
    }

    /** What a migration carries: every register the driver set and what the device latched. */
    @StateRecordDeclaration(tag = 1, name = "init segment")
    public record SegmentState(int cmdqAddressHigh, int cmdqAddressLow, boolean cmdqHighWritten, boolean cmdqLowWritten,
            boolean initializing, int nicInterface, int rungCommands) {
    }

    public synchronized SegmentState state() {
        return new SegmentState(cmdqAddressHigh, cmdqAddressLow, cmdqHighWritten, cmdqLowWritten, initializing,
                nicInterface, rungCommands);
    }

    public synchronized void restore(SegmentState state) {
        cmdqAddressHigh = state.cmdqAddressHigh();
        cmdqAddressLow = state.cmdqAddressLow();
        cmdqHighWritten = state.cmdqHighWritten();
        cmdqLowWritten = state.cmdqLowWritten();
        initializing = state.initializing();
        nicInterface = state.nicInterface();
        rungCommands = state.rungCommands();
    }

    public synchronized void reset() {
        cmdqAddressHigh = 0;
        cmdqAddressLow = 0;
        cmdqHighWritten = false;
        cmdqLowWritten = false;
        initializing = true;
        nicInterface = 0;
        rungCommands = 0;
    }

    @Override
    public synchronized int read(int offset) {
        return switch (offset) {
            case FW_REV -> FW_MAJOR | FW_MINOR << HIGH_HALF;
            case CMDIF_REV_FW_SUB_MINOR -> FW_SUB_MINOR | CMD_INTERFACE_REVISION << HIGH_HALF;
            case CMDQ_ADDR_HIGH -> cmdqAddressHigh;
            case CMDQ_ADDR_LOW -> cmdqAddressLow | LOG_CMDQ_SIZE << LOG_CMDQ_SIZE_SHIFT | LOG_CMDQ_STRIDE;
            case INITIALIZING -> (initializing() ? INITIALIZING_FLAG : 0) | nicInterface;
            default -> 0;
        };
    }

    @Override
    public synchronized void write(int offset, int value) {
        switch (offset) {
            case CMDQ_ADDR_HIGH -> {
                cmdqAddressHigh = value;
                cmdqHighWritten = true;
            }
            case CMDQ_ADDR_LOW -> {
                cmdqAddressLow = value & CMDQ_ADDR_LOW_WRITABLE;
                cmdqLowWritten = true;
            }
            case CMD_DOORBELL -> {
                rungCommands |= value;
                // the executor only needs a nudge: it takes the slots itself (and never blocks here)
                commandDoorbell.run();
            }
            case INITIALIZING -> nicInterface = value & NIC_INTERFACE;
            default -> {
            }
        }
    }

    /** Who to wake when command slots are rung (the device engine). */
    public synchronized void onCommandDoorbell(Runnable wake) {
        this.commandDoorbell = wake;
    }

    /** Where the driver placed the command queue in guest memory (0 until it says). */
    public synchronized long commandQueueAddress() {
        return (long) cmdqAddressHigh << Integer.SIZE | cmdqAddressLow & DWORD_MASK;
    }

    /** True from reset until the boot delay has passed on the device clock (then latched false until the next reset). */
    public synchronized boolean initializing() {
        if (initializing && sinceReset.getAsLong() >= bootDelayNanos) {
            initializing = false;
        }
        return initializing;
    }

    /** Command slots rung since the last {@link #takeRungCommands()} (bit n = slot n). */
    public synchronized int rungCommands() {
        return rungCommands;
    }

    /** Hands the rung slots to the command executor and forgets them. */
    public synchronized int takeRungCommands() {
        int rung = rungCommands;
        rungCommands = 0;
        return rung;
    }

    /** Whether the driver has written both halves of the command queue address since reset. */
    public synchronized boolean commandQueueSet() {
        return cmdqHighWritten && cmdqLowWritten && commandQueueAddress() != 0;
    }
}
