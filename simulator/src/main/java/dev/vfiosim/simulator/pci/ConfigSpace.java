package dev.vfiosim.simulator.pci;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The 4 KiB PCI Express configuration space of one function. VMM-owned state: the device defines
 * its registers once, then only the client changes it (through {@link #write}), except for the
 * read-only status bits the device reflects with {@link #reflect}.
 *
 * <p>Every byte has a write mask (bits the client may set or clear) and a write-1-to-clear mask;
 * any other bit is read-only. Accesses may have any length and are applied byte by byte, so a
 * client may touch a register with any width. Registers the device must hear about are watched
 * with {@link #onWrite}. Values are little-endian, as on the PCI bus.
 */
public final class ConfigSpace {
    public static final int SIZE = 4096;

    private final byte[] bytes = new byte[SIZE];
    private final byte[] writable = new byte[SIZE];
    private final byte[] writeOneToClear = new byte[SIZE];
    private final List<WatchedRegister> watched = new ArrayList<>();

    private record WatchedRegister(int offset, int width, RegisterWriteHook hook) {
        boolean overlaps(int start, int length) {
            return start < offset + width && offset < start + length;
        }
    }

    private record PendingHook(WatchedRegister register, int before, int requested, int after) {
    }

    /**
     * Defines a register of {@code width} bytes (1, 2 or 4): its reset value, the bits the client
     * may write and the bits it clears by writing 1. Bits in neither mask are read-only.
     */
    public synchronized void define(int offset, int width, int resetValue, int writableBits, int clearableBits) {
        checkDefinition(offset, width);
        for (int i = 0; i < width; i++) {
            int shift = 8 * i;
            bytes[offset + i] = (byte) (resetValue >>> shift);
            writable[offset + i] = (byte) (writableBits >>> shift);
            writeOneToClear[offset + i] = (byte) (clearableBits >>> shift);
        }
    }

    /** Defines a read-only register. */
    public void defineReadOnly(int offset, int width, int value) {
        define(offset, width, value, 0, 0);
    }

    /** Calls {@code hook} after every client write that touches any byte of the register. */
    public synchronized void onWrite(int offset, int width, RegisterWriteHook hook) {
        checkDefinition(offset, width);
        watched.add(new WatchedRegister(offset, width, hook));
    }

    /**
     * Sets or clears read-only bits that mirror device state (e.g. Status.Interrupt Status); the
     * client cannot write these, and nothing is notified.
     */
    public synchronized void reflect(int offset, int width, int bits, boolean set) {
        checkDefinition(offset, width);
        int value = get(offset, width);
        put(offset, width, set ? value | bits : value & ~bits);
    }

    /** Reads a register of 1, 2 or 4 bytes. */
    public synchronized int read(int offset, int width) {
        checkWidth(width);
        checkAccess(offset, width);
        return get(offset, width);
    }

    /** REGION_READ: fills {@code dst.remaining()} bytes starting at {@code offset}. */
    public synchronized void read(int offset, ByteBuffer dst) {
        checkAccess(offset, dst.remaining());
        dst.put(bytes, offset, dst.remaining());
    }

    /** Writes a register of 1, 2 or 4 bytes as a client would (masks apply, hooks run). */
    public void write(int offset, int width, int value) {
        checkWidth(width);
        ByteBuffer src = ByteBuffer.allocate(width);
        for (int i = 0; i < width; i++) {
            src.put((byte) (value >>> (8 * i)));
        }
        write(offset, src.flip());
    }

    /** REGION_WRITE: applies {@code src.remaining()} bytes at {@code offset} through the masks. */
    public void write(int offset, ByteBuffer src) {
        List<PendingHook> pending = new ArrayList<>();
        int length = src.remaining();
        synchronized (this) {
            checkAccess(offset, length);
            byte[] requested = bytes.clone();
            for (WatchedRegister register : watched) {
                if (register.overlaps(offset, length)) {
                    pending.add(new PendingHook(register, get(register.offset, register.width), 0, 0));
                }
            }
            for (int i = 0; i < length; i++) {
                int at = offset + i;
                byte value = src.get();
                requested[at] = value;
                bytes[at] = (byte) (((bytes[at] & ~writable[at]) | (value & writable[at]))
                        & ~(value & writeOneToClear[at]));
            }
            pending.replaceAll(p -> new PendingHook(p.register, p.before,
                    get(requested, p.register.offset, p.register.width), get(p.register.offset, p.register.width)));
        }
        // Hooks run unlocked: they call into the interrupt controller, which reads config space
        // under its own lock, and the lock order must stay controller -> config space.
        for (PendingHook p : pending) {
            p.register.hook.written(p.before, p.requested, p.after);
        }
    }

    private int get(int offset, int width) {
        return get(bytes, offset, width);
    }

    private static int get(byte[] from, int offset, int width) {
        int value = 0;
        for (int i = 0; i < width; i++) {
            value |= (from[offset + i] & 0xFF) << (8 * i);
        }
        return value;
    }

    private void put(int offset, int width, int value) {
        for (int i = 0; i < width; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    private static void checkAccess(int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > SIZE) {
            throw new DeviceException(Errno.EINVAL, "config space access of " + length + " bytes at offset 0x"
                    + Integer.toHexString(offset) + " is outside the " + SIZE + "-byte config space");
        }
    }

    private static void checkWidth(int width) {
        if (width != 1 && width != 2 && width != 4) {
            throw new DeviceException(Errno.EINVAL, "config register width " + width + " is not 1, 2 or 4 bytes");
        }
    }

    private static void checkDefinition(int offset, int width) {
        if (width != 1 && width != 2 && width != 4 || offset < 0 || offset + width > SIZE) {
            throw new IllegalArgumentException("no register of width " + width + " at 0x" + Integer.toHexString(offset));
        }
    }
}
