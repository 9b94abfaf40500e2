package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DEVICE_GET_INFO (struct vfio_device_info), request and reply.
 *
 * <pre>
 *  off size field
 *    0  u32 argsz        request: largest reply the client takes (>= 16); reply: 16
 *    4  u32 flags        reply: RESET 0x1, PCI 0x2
 *    8  u32 num_regions
 *   12  u32 num_irqs
 * </pre>
 */
public record DeviceInfo(int argsz, int flags, int numRegions, int numIrqs) {
    public static final int SIZE = 16;
    public static final int FLAG_RESET = 0x1;
    public static final int FLAG_PCI = 0x2;

    public static DeviceInfo decode(ByteBuffer p) {
        Payloads.requireAtLeast(p, SIZE, "DEVICE_GET_INFO");
        int b = p.position();
        DeviceInfo info = new DeviceInfo(p.getInt(b), p.getInt(b + 4), p.getInt(b + 8), p.getInt(b + 12));
        Payloads.requireArgsz(Integer.toUnsignedLong(info.argsz), SIZE, "DEVICE_GET_INFO");
        return info;
    }

    public void encode(ByteBuffer out) {
        out.putInt(argsz).putInt(flags).putInt(numRegions).putInt(numIrqs);
    }
}
