package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.pci.BarDescriptor;
import dev.vfiosim.simulator.pci.DwordRegisterBlock;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SparseArea;
import java.nio.ByteBuffer;

/**
 * BAR0: a 256 KiB 64-bit prefetchable memory BAR, routing each access to the window it falls in.
 * mlx5 addresses UAR pages as 4 KiB pages of BAR0 by UAR index, so the device's own windows sit
 * at page indexes ALLOC_UAR never hands out (it hands out {@link #FIRST_UAR_INDEX} and up).
 *
 * <pre>
 * offset            window               backed by                          access          byte order
 * 0x00000-0x00FFF   init segment         {@link InitializationSegment}      trapped         big-endian
 * 0x01000-0x01FFF   health page          {@link HealthArea}                 trapped         big-endian
 * 0x02000-0x02FFF   MSI-X table          InterruptController (VMM-owned)    trapped         little-endian
 * 0x03000-0x03FFF   MSI-X PBA            InterruptController (VMM-owned)    trapped, RO     little-endian
 * 0x04000-0x0FFFF   doorbell page        DoorbellPage (0x4000-0x400F)       trapped         big-endian
 * 0x10000-0x1FFFF   device memory        SharedMemory at the same offset    mmap or trapped bytes
 * 0x20000-0x3FFFF   UAR pages 32..63     UarPages (EQ doorbells at +0x40)   trapped         big-endian
 * </pre>
 *
 * Trapped register windows take accesses of 1, 2, 4 or 8 bytes at an offset aligned to the
 * access size (so no access spans two windows); a narrower write is merged into the register's
 * current value, an 8-byte access is two dword accesses in address order. In a big-endian window
 * the byte at a dword's lowest address is the register's most significant byte (mlx5 drivers use
 * ioread32be/iowrite32be); MSI-X keeps PCI's little-endian order. The device memory window takes
 * any length that stays inside it.
 */
public final class Bar0 {
    public static final long SIZE = 0x40000;
    public static final int INIT_SEGMENT = 0x00000;
    public static final int HEALTH = 0x01000;
    public static final int MSIX_TABLE = 0x02000;
    public static final int MSIX_PBA = 0x03000;
    public static final int DOORBELLS = 0x04000;
    public static final int DEVICE_MEMORY = 0x10000;
    public static final int DEVICE_MEMORY_SIZE = 0x10000;
    public static final int UAR_PAGES = 0x20000;
    public static final int WINDOW_SIZE = 0x1000;
    /** UAR index n is BAR0 page n (4 KiB pages, mlx5's adapter page size). */
    public static final int FIRST_UAR_INDEX = UAR_PAGES / WINDOW_SIZE;
    public static final int UAR_COUNT = (int) ((SIZE - UAR_PAGES) / WINDOW_SIZE);
    public static final BarDescriptor DESCRIPTOR = new BarDescriptor(0, SIZE, true, true);
    public static final SparseArea MAPPABLE = new SparseArea(DEVICE_MEMORY, DEVICE_MEMORY_SIZE);
    private static final int MAX_REGISTER_ACCESS = Long.BYTES;
    private static final int BYTE_MASK = 0xFF;

    private final DwordRegisterBlock initSegment;
    private final DwordRegisterBlock health;
    private final DwordRegisterBlock msixTable;
    private final DwordRegisterBlock msixPba;
    private final SharedMemory memory;
    private final DwordRegisterBlock doorbells;
    private final DwordRegisterBlock uars;

    public Bar0(DwordRegisterBlock initSegment, DwordRegisterBlock health, DwordRegisterBlock msixTable,
            DwordRegisterBlock msixPba, SharedMemory memory) {
        this(initSegment, health, msixTable, msixPba, memory, DwordRegisterBlock.RESERVED, DwordRegisterBlock.RESERVED);
    }

    /**
     * @param doorbells the queue doorbell registers, from 0x4000 (offsets it sees are relative to 0x4000)
     * @param uars the UAR pages, from {@link #UAR_PAGES} (offsets relative to it)
     */
    public Bar0(DwordRegisterBlock initSegment, DwordRegisterBlock health, DwordRegisterBlock msixTable,
            DwordRegisterBlock msixPba, SharedMemory memory, DwordRegisterBlock doorbells, DwordRegisterBlock uars) {
        if (memory.size() < SIZE) {
            throw new IllegalArgumentException("BAR0 needs " + SIZE + " bytes of shared memory, got " + memory.size());
        }
        this.initSegment = initSegment;
        this.health = health;
        this.msixTable = msixTable;
        this.msixPba = msixPba;
        this.memory = memory;
        this.doorbells = doorbells;
        this.uars = uars;
    }

    /** REGION_READ of {@code dst.remaining()} bytes; the caller has checked the range is inside BAR0. */
    public void read(int offset, ByteBuffer dst) {
        if (inDeviceMemory(offset)) {
            dst.put(memory.buffer().position(offset).limit(offset + dst.remaining()));
            return;
        }
        checkRegisterAccess(offset, dst.remaining());
        int base = windowBase(offset);
        DwordRegisterBlock block = blockAt(offset);
        int end = offset + dst.remaining();
        for (int dword = offset & -Integer.BYTES; dword < end; dword += Integer.BYTES) {
            int value = block.read(dword - base);
            boolean bigEndian = bigEndian(base);
            for (int at = Math.max(dword, offset); at < Math.min(dword + Integer.BYTES, end); at++) {
                dst.put((byte) (value >>> laneShift(at, bigEndian)));
            }
        }
    }

    /** REGION_WRITE of {@code src.remaining()} bytes; the caller has checked the range is inside BAR0. */
    public void write(int offset, ByteBuffer src) {
        if (inDeviceMemory(offset)) {
            memory.buffer().position(offset).put(src);
            return;
        }
        checkRegisterAccess(offset, src.remaining());
        int base = windowBase(offset);
        DwordRegisterBlock block = blockAt(offset);
        int end = offset + src.remaining();
        boolean bigEndian = bigEndian(base);
        for (int dword = offset & -Integer.BYTES; dword < end; dword += Integer.BYTES) {
            int first = Math.max(dword, offset);
            int last = Math.min(dword + Integer.BYTES, end);
            int lanes = 0;
            int value = 0;
            for (int at = first; at < last; at++) {
                lanes |= BYTE_MASK << laneShift(at, bigEndian);
                value |= (src.get() & BYTE_MASK) << laneShift(at, bigEndian);
            }
            if (lanes != -1) {
                value |= block.read(dword - base) & ~lanes;
            }
            block.write(dword - base, value);
        }
    }

    /** Zeroes the device memory window (function reset). */
    public void clearDeviceMemory() {
        memory.buffer().position(DEVICE_MEMORY).put(new byte[DEVICE_MEMORY_SIZE]);
    }

    private static boolean inDeviceMemory(int offset) {
        return offset >= DEVICE_MEMORY && offset < DEVICE_MEMORY + DEVICE_MEMORY_SIZE;
    }

    private static void checkRegisterAccess(int offset, int length) {
        boolean sized = length == 1 || length == 2 || length == Integer.BYTES || length == MAX_REGISTER_ACCESS;
        if (!sized || offset % length != 0) {
            throw new DeviceException(Errno.EINVAL, "BAR0 register access of " + length + " bytes at 0x"
                    + Integer.toHexString(offset) + ": outside the device memory window (0x"
                    + Integer.toHexString(DEVICE_MEMORY) + "-0x" + Integer.toHexString(UAR_PAGES - 1)
                    + ") accesses must be 1, 2, 4 or 8 bytes aligned to their size");
        }
    }

    private static int windowBase(int offset) {
        if (offset >= UAR_PAGES) {
            return UAR_PAGES;
        }
        return offset < DOORBELLS ? offset & -WINDOW_SIZE : DOORBELLS;
    }

    private DwordRegisterBlock blockAt(int offset) {
        return switch (windowBase(offset)) {
            case INIT_SEGMENT -> initSegment;
            case HEALTH -> health;
            case MSIX_TABLE -> msixTable;
            case MSIX_PBA -> msixPba;
            case UAR_PAGES -> uars;
            default -> doorbells;
        };
    }

    /** MSI-X follows PCI (little-endian); every mlx5 register window is big-endian. */
    private static boolean bigEndian(int windowBase) {
        return windowBase != MSIX_TABLE && windowBase != MSIX_PBA;
    }

    private static int laneShift(int offset, boolean bigEndian) {
        int lane = offset % Integer.BYTES;
        return Byte.SIZE * (bigEndian ? Integer.BYTES - 1 - lane : lane);
    }
}
