package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DEVICE_SET_IRQS (struct vfio_irq_set). Eventfds travel as SCM_RIGHTS, not in the payload.
 *
 * <pre>
 *  off size field
 *    0  u32 argsz   size of this payload (QEMU sends 20 even with eventfds)
 *    4  u32 flags   exactly one DATA_* bit and one ACTION_* bit
 *    8  u32 index   interrupt type
 *   12  u32 start   first vector
 *   16  u32 count   number of vectors; 0 only with NONE|TRIGGER ("disable all")
 *   20  u8[count]   DATA_BOOL only: 1 = act on that vector
 * </pre>
 *
 * @param selected which vectors of [start, start+count) the action applies to
 */
public record IrqSet(int flags, int index, int start, int count, boolean[] selected) {
    public static final int SIZE = 20;
    /** MSI-X's table limit, the most vectors of any PCI interrupt type. */
    public static final int MAX_VECTORS = 2048;
    public static final int DATA_NONE = 0x01;
    public static final int DATA_BOOL = 0x02;
    public static final int DATA_EVENTFD = 0x04;
    public static final int ACTION_MASK = 0x08;
    public static final int ACTION_UNMASK = 0x10;
    public static final int ACTION_TRIGGER = 0x20;
    private static final int DATA_BITS = DATA_NONE | DATA_BOOL | DATA_EVENTFD;
    private static final int ACTION_BITS = ACTION_MASK | ACTION_UNMASK | ACTION_TRIGGER;

    /** Decodes and checks everything that does not need the device: layout, flag combination, fd count. */
    public static IrqSet decode(ByteBuffer p, int fdCount) {
        Payloads.requireAtLeast(p, SIZE, "DEVICE_SET_IRQS");
        int b = p.position();
        long argsz = Integer.toUnsignedLong(p.getInt(b));
        int flags = p.getInt(b + 4);
        int index = p.getInt(b + 8);
        int start = p.getInt(b + 12);
        long count = Integer.toUnsignedLong(p.getInt(b + 16));
        Payloads.requireArgsz(argsz, SIZE, "DEVICE_SET_IRQS");
        int data = flags & DATA_BITS;
        int action = flags & ACTION_BITS;
        if ((flags & ~(DATA_BITS | ACTION_BITS)) != 0 || Integer.bitCount(data) != 1 || Integer.bitCount(action) != 1) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS flags 0x" + Integer.toHexString(flags)
                    + " must hold exactly one DATA bit and one ACTION bit");
        }
        if (start < 0 || count > Integer.MAX_VALUE || start + count > Integer.MAX_VALUE) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS range start=" + Integer.toUnsignedString(start)
                    + " count=" + count + " overflows");
        }
        if (count > MAX_VECTORS || start > MAX_VECTORS - count) {
            // before anything is allocated per vector: no PCI interrupt type has more (MSI-X's 2048)
            throw ProtocolException.invalid("DEVICE_SET_IRQS vectors [" + Integer.toUnsignedString(start) + ", +" + count
                    + ") exceed the " + MAX_VECTORS + " vectors any PCI interrupt type can have");
        }
        if (count == 0 && (data != DATA_NONE || action != ACTION_TRIGGER || start != 0)) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS count 0 is only valid as NONE|TRIGGER with start 0 (disable all)");
        }
        if (data == DATA_BOOL) {
            Payloads.requireExactly(p, SIZE + count, "DEVICE_SET_IRQS with DATA_BOOL");
            // as the kernel: argsz must cover the struct and its data (eventfds travel as SCM_RIGHTS here)
            if (argsz < SIZE + count) {
                throw ProtocolException.invalid("DEVICE_SET_IRQS argsz " + argsz + " is below the struct and its "
                        + count + " DATA_BOOL bytes");
            }
        } else {
            Payloads.requireExactly(p, SIZE, "DEVICE_SET_IRQS");
        }
        if (fdCount != 0 && data != DATA_EVENTFD) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS carries " + fdCount + " fds but its data type is not EVENTFD");
        }
        if (data == DATA_EVENTFD && fdCount != 0 && fdCount != count) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS EVENTFD carries " + fdCount + " fds for count " + count
                    + " (must be exactly count, or 0 to de-assign)");
        }
        boolean[] selected = new boolean[(int) count];
        for (int i = 0; i < count; i++) {
            if (data == DATA_BOOL) {
                byte v = p.get(b + SIZE + i);
                if (v != 0 && v != 1) {
                    throw ProtocolException.invalid("DEVICE_SET_IRQS DATA_BOOL byte " + i + " is " + v + ", must be 0 or 1");
                }
                selected[i] = v == 1;
            } else {
                selected[i] = true;
            }
        }
        return new IrqSet(flags, index, start, (int) count, selected);
    }

    public int dataType() {
        return flags & DATA_BITS;
    }

    public int action() {
        return flags & ACTION_BITS;
    }

    /** Encodes a request (client side); {@code bools} only for DATA_BOOL. */
    public static void encode(ByteBuffer out, int flags, int index, int start, int count, byte[] bools) {
        int argsz = SIZE + (bools == null ? 0 : bools.length);
        out.putInt(argsz).putInt(flags).putInt(index).putInt(start).putInt(count);
        if (bools != null) {
            out.put(bools);
        }
    }
}
