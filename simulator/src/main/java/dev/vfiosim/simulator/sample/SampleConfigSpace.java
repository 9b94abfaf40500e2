package dev.vfiosim.simulator.sample;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The sample's 256-byte conventional PCI config space as libvfio-user emulates it: a type-0 header
 * with the sample's IDs, no capabilities, every BAR an I/O BAR (libvfio-user sets bit 0 for a BAR
 * without the memory flag, the four unused ones included), interrupt pin INTA# because INTx has one
 * vector.
 *
 * <p>Writes follow libvfio-user's rules rather than the PCI masks of
 * {@link dev.vfiosim.simulator.pci.ConfigSpace}: a write is split into whole registers; one that
 * starts inside a register, touches a register libvfio-user does not handle, or lies beyond the
 * header fails with EINVAL; some registers silently ignore writes.
 *
 * <pre>
 * off  size value              write
 * 0x00  2   vendor 0xdead      EINVAL
 * 0x02  2   device 0xbeef      EINVAL
 * 0x04  2   command 0          bits 0x1,0x2,0x4,0x10,0x100,0x400 stored; 0x20 ignored; others EINVAL
 * 0x06  2   status 0           ignored
 * 0x08  1   revision 0         ignored        0x09 3 class 0: ignored
 * 0x0c  1   cache line size    stored         0x0d 1 latency timer: stored
 * 0x0e  1   header type 0      EINVAL         0x0f 1 BIST: EINVAL
 * 0x10 6x4  BARs, 0x00000001   (value &amp; ~(size-1)) | the register's low flag bits
 * 0x28  4   CardBus CIS        EINVAL
 * 0x2c  2   subsystem vendor 0xcafe, 0x2e 2 subsystem 0xbabe: EINVAL
 * 0x30  4   ROM BAR 0          0 clears; 0xfffff800, 0xfffffffe, 0xffffffff ignored; else EINVAL
 * 0x34  1   cap pointer 0      EINVAL         0x35..0x3b reserved: EINVAL
 * 0x3c  1   interrupt line     stored
 * 0x3d  1   interrupt pin 1    ignored        0x3e min grant, 0x3f max latency: ignored
 * 0x40..0xff                   EINVAL
 * </pre>
 */
public final class SampleConfigSpace {
    public static final int SIZE = 256;
    public static final int VENDOR_ID = 0xdead;
    public static final int DEVICE_ID = 0xbeef;
    public static final int SUBSYSTEM_VENDOR_ID = 0xcafe;
    public static final int SUBSYSTEM_ID = 0xbabe;

    private static final int COMMAND = 0x04;
    private static final int COMMAND_STORED = 0x1 | 0x2 | 0x4 | 0x10 | 0x100 | 0x400;
    private static final int COMMAND_VGA_PALETTE = 0x20;
    private static final int STATUS = 0x06;
    private static final int BAR0 = 0x10;
    private static final int BAR_COUNT = 6;
    private static final int BAR_IO_SPACE = 0x1;
    private static final int BAR_IO_FLAG_BITS = 0x3;
    private static final int ROM = 0x30;
    private static final int HEADER_END = 0x40;
    private static final int INTERRUPT_LINE = 0x3c;
    private static final int INTERRUPT_PIN = 0x3d;

    private final byte[] bytes = new byte[SIZE];
    private final long[] barSizes;

    /** {@code barSizes[i]} is the size of BAR i (0 for an unused one). */
    public SampleConfigSpace(long... barSizes) {
        if (barSizes.length != BAR_COUNT) {
            throw new IllegalArgumentException("a type-0 header has 6 BARs, got " + barSizes.length);
        }
        this.barSizes = barSizes.clone();
        ByteBuffer b = view();
        b.putShort(0x00, (short) VENDOR_ID).putShort(0x02, (short) DEVICE_ID);
        for (int i = 0; i < BAR_COUNT; i++) {
            b.putInt(BAR0 + 4 * i, BAR_IO_SPACE);
        }
        b.putShort(0x2c, (short) SUBSYSTEM_VENDOR_ID).putShort(0x2e, (short) SUBSYSTEM_ID);
        b.put(INTERRUPT_PIN, (byte) 1);
    }

    private ByteBuffer view() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** REGION_READ of region 7: the stored bytes. */
    public synchronized void read(long offset, ByteBuffer dst) {
        check(offset, dst.remaining());
        dst.put(bytes, (int) offset, dst.remaining());
    }

    /** REGION_WRITE of region 7, register by register; the first refused register fails the rest. */
    public synchronized void write(long offset, ByteBuffer src) {
        check(offset, src.remaining());
        int at = (int) offset;
        int end = at + src.remaining();
        while (at < end) {
            int width = registerWidth(at);
            if (at + width > end) {
                throw invalid("write of " + (end - at) + " bytes at 0x" + Integer.toHexString(at)
                        + " covers only part of a " + width + "-byte register");
            }
            long value = 0;
            for (int i = 0; i < width; i++) {
                value |= (src.get() & 0xFFL) << (8 * i);
            }
            writeRegister(at, (int) value);
            at += width;
        }
    }

    private static void check(long offset, int count) {
        if (offset < 0 || offset + count > SIZE) {
            throw invalid("access [0x" + Long.toHexString(offset) + ", +" + count + ") is outside the 256-byte config space");
        }
    }

    /** The width of the register starting at {@code at}; EINVAL when {@code at} is not a register's start. */
    private static int registerWidth(int at) {
        if (at >= HEADER_END) {
            throw invalid("write at 0x" + Integer.toHexString(at) + " is beyond the header (no capabilities)");
        }
        return switch (at) {
            case 0x00, 0x02, COMMAND, STATUS, 0x2c, 0x2e -> 2;
            case 0x08, 0x0c, 0x0d, 0x0e, 0x0f, 0x34, INTERRUPT_LINE, INTERRUPT_PIN, 0x3e, 0x3f -> 1;
            case 0x09 -> 3;
            case 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, ROM -> 4;
            default -> throw invalid("write at 0x" + Integer.toHexString(at) + " starts inside a register");
        };
    }

    private void writeRegister(int at, int value) {
        ByteBuffer b = view();
        switch (at) {
            case COMMAND -> {
                int unknown = value & ~(COMMAND_STORED | COMMAND_VGA_PALETTE) & 0xFFFF;
                if (unknown != 0) {
                    throw invalid("command register bits 0x" + Integer.toHexString(unknown) + " are not emulated");
                }
                b.putShort(COMMAND, (short) (value & COMMAND_STORED));
            }
            case STATUS, 0x08, 0x09, INTERRUPT_PIN, 0x3e, 0x3f -> {
                // ignored, as libvfio-user ignores them
            }
            case 0x0c, 0x0d, INTERRUPT_LINE -> b.put(at, (byte) value);
            case 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24 -> writeBar((at - BAR0) / 4, value);
            case ROM -> writeRom(value);
            default -> throw invalid("register at 0x" + Integer.toHexString(at) + " is read-only");
        }
    }

    private void writeBar(int bar, int value) {
        long size = barSizes[bar];
        int flags = bytes[BAR0 + 4 * bar] & BAR_IO_FLAG_BITS;
        int stored = size == 0 ? BAR_IO_SPACE : (int) (value & ~(size - 1)) | flags;
        view().putInt(BAR0 + 4 * bar, stored);
    }

    private void writeRom(int value) {
        if (value == 0) {
            view().putInt(ROM, 0);
        } else if (value != 0xfffff800 && value != 0xfffffffe && value != 0xffffffff) {
            throw invalid("ROM BAR write 0x" + Integer.toHexString(value) + " (the sample has no ROM)");
        }
    }

    private static DeviceException invalid(String why) {
        return new DeviceException(Errno.EINVAL, "config space: " + why);
    }
}
