package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DEVICE_GET_IRQ_INFO (struct vfio_irq_info), request and reply.
 *
 * <pre>
 *  off size field
 *    0  u32 argsz   >= 16
 *    4  u32 flags   reply: EVENTFD 0x1, MASKABLE 0x2, AUTOMASKED 0x4, NORESIZE 0x8
 *    8  u32 index   interrupt type
 *   12  u32 count   reply: number of vectors
 * </pre>
 */
public record IrqInfoMessage(int argsz, int flags, int index, int count) {
    public static final int SIZE = 16;
    public static final int FLAG_EVENTFD = 0x1;
    public static final int FLAG_MASKABLE = 0x2;
    public static final int FLAG_AUTOMASKED = 0x4;
    public static final int FLAG_NORESIZE = 0x8;

    public static IrqInfoMessage decode(ByteBuffer p) {
        Payloads.requireAtLeast(p, SIZE, "DEVICE_GET_IRQ_INFO");
        int b = p.position();
        IrqInfoMessage m = new IrqInfoMessage(p.getInt(b), p.getInt(b + 4), p.getInt(b + 8), p.getInt(b + 12));
        Payloads.requireArgsz(Integer.toUnsignedLong(m.argsz), SIZE, "DEVICE_GET_IRQ_INFO");
        return m;
    }

    public void encode(ByteBuffer out) {
        out.putInt(argsz).putInt(flags).putInt(index).putInt(count);
    }
}
