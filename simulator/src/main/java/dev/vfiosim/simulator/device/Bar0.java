package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.pci.BarDescriptor;
import dev.vfiosim.simulator.pci.DwordRegisterBlock;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SparseArea;
import java.nio.ByteBuffer;

/**
 * BAR0: a 128 KiB 64-bit prefetchable memory BAR, routing each access to the window it falls in.
 *
 * <pre>
 * offset            window               backed by                          access
 * 0x00000-0x00FFF   init segment         {@link InitializationSegment}      trapped registers
 * 0x01000-0x01FFF   health page          {@link HealthArea}                 trapped registers
 * 0x02000-0x02FFF   MSI-X table          InterruptController (VMM-owned)    trapped registers
 * 0x03000-0x03FFF   MSI-X PBA            InterruptController (VMM-owned)    trapped, writes ignored
 * 0x04000-0x0FFFF   doorbell page        DoorbellPage (0x4000-0x400F)       trapped, reads 0; rest reserved
 * 0x10000-0x1FFFF   device memory        SharedMemory at the same offset    mmap or any trapped access
 * </pre>
 *
 * Trapped register windows take accesses of 1, 2, 4 or 8 bytes at an offset aligned to the
 * access size (so no access spans two windows); a narrower write is merged into the register's
 * current value, an 8-byte access is two dword accesses, low dword first. The device memory window
 * takes any length that stays inside it.
 */
public final class Bar0 {
    public static final long SIZE = 0x20000;
    public static final int INIT_SEGMENT = 0x00000;
    public static final int HEALTH = 0x01000;
    public static final int MSIX_TABLE = 0x02000;
    public static final int MSIX_PBA = 0x03000;
    public static final int DOORBELLS = 0x04000;
    public static final int DEVICE_MEMORY = 0x10000;
    public static final int DEVICE_MEMORY_SIZE = 0x10000;
    public static final int WINDOW_SIZE = 0x1000;
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

    public Bar0(DwordRegisterBlock initSegment, DwordRegisterBlock health, DwordRegisterBlock msixTable,
            DwordRegisterBlock msixPba, SharedMemory memory) {
        this(initSegment, health, msixTable, msixPba, memory, DwordRegisterBlock.RESERVED);
    }

    /** @param doorbells the queue doorbell registers, from 0x4000 (offsets it sees are relative to 0x4000) */
    public Bar0(DwordRegisterBlock initSegment, DwordRegisterBlock health, DwordRegisterBlock msixTable,
            DwordRegisterBlock msixPba, SharedMemory memory, DwordRegisterBlock doorbells) {
        if (memory.size() < SIZE) {
            throw new IllegalArgumentException("BAR0 needs " + SIZE + " bytes of shared memory, got " + memory.size());
        }
        this.initSegment = initSegment;
        this.health = health;
        this.msixTable = msixTable;
        this.msixPba = msixPba;
        this.memory = memory;
        this.doorbells = doorbells;
    }

    /** REGION_READ of {@code dst.remaining()} bytes; the caller has checked the range is inside BAR0. */
    public void read(int offset, ByteBuffer dst) {
        if (offset >= DEVICE_MEMORY) {
            dst.put(memory.buffer().position(offset).limit(offset + dst.remaining()));
            return;
        }
        checkRegisterAccess(offset, dst.remaining());
        int base = windowBase(offset);
        DwordRegisterBlock block = blockAt(offset);
        int end = offset + dst.remaining();
        for (int dword = offset & -Integer.BYTES; dword < end; dword += Integer.BYTES) {
            int value = block.read(dword - base);
            for (int at = Math.max(dword, offset); at < Math.min(dword + Integer.BYTES, end); at++) {
                dst.put((byte) (value >>> laneShift(at)));
            }
        }
    }

    /** REGION_WRITE of {@code src.remaining()} bytes; the caller has checked the range is inside BAR0. */
    public void write(int offset, ByteBuffer src) {
        if (offset >= DEVICE_MEMORY) {
            memory.buffer().position(offset).put(src);
            return;
        }
        checkRegisterAccess(offset, src.remaining());
        int base = windowBase(offset);
        DwordRegisterBlock block = blockAt(offset);
        int end = offset + src.remaining();
        for (int dword = offset & -Integer.BYTES; dword < end; dword += Integer.BYTES) {
            int first = Math.max(dword, offset);
            int last = Math.min(dword + Integer.BYTES, end);
            int lanes = 0;
            int value = 0;
            for (int at = first; at < last; at++) {
                lanes |= BYTE_MASK << laneShift(at);
                value |= (src.get() & BYTE_MASK) << laneShift(at);
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

    private static void checkRegisterAccess(int offset, int length) {
        boolean sized = length == 1 || length == 2 || length == Integer.BYTES || length == MAX_REGISTER_ACCESS;
        if (!sized || offset % length != 0) {
            throw new DeviceException(Errno.EINVAL, "BAR0 register access of " + length + " bytes at 0x"
                    + Integer.toHexString(offset) + ": below 0x" + Integer.toHexString(DEVICE_MEMORY)
                    + " accesses must be 1, 2, 4 or 8 bytes aligned to their size");
        }
    }

    private static int windowBase(int offset) {
        return offset < DOORBELLS ? offset & -WINDOW_SIZE : DOORBELLS;
    }

    private DwordRegisterBlock blockAt(int offset) {
        return switch (windowBase(offset)) {
            case INIT_SEGMENT -> initSegment;
            case HEALTH -> health;
            case MSIX_TABLE -> msixTable;
            case MSIX_PBA -> msixPba;
            default -> doorbells;
        };
    }

    private static int laneShift(int offset) {
        return Byte.SIZE * (offset % Integer.BYTES);
    }
}
