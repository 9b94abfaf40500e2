package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DEVICE_FEATURE (struct vfio_device_feature): the 8-byte header in front of every feature's data.
 *
 * <pre>
 *  off size field
 *    0  u32 argsz   request: largest reply payload the client takes; GET reply: the reply's size
 *    4  u32 flags   bits 0-15 feature index; GET 0x10000, SET 0x20000, PROBE 0x40000
 *    8  var data    the feature's struct
 * </pre>
 * Kernel rules (vfio_main.c): unknown flag bits, GET together with SET without PROBE, and neither
 * GET nor SET are EINVAL; PROBE answers whether the ops are supported without touching anything. A
 * SET or PROBE whose argsz is smaller than the request itself is EINVAL: its reply echoes the request
 * and must fit argsz.
 */
public record DeviceFeature(long argsz, int flags) {
    public static final int SIZE = 8;
    public static final int INDEX_MASK = 0xFFFF;
    public static final int GET = 0x10000;
    public static final int SET = 0x20000;
    public static final int PROBE = 0x40000;

    public static final int MIGRATION = 1;
    public static final int MIG_DEVICE_STATE = 2;
    public static final int DMA_LOGGING_START = 6;
    public static final int DMA_LOGGING_STOP = 7;
    public static final int DMA_LOGGING_REPORT = 8;
    public static final int MIG_DATA_SIZE = 9;
    /** vfio-user has no PRECOPY_INFO; vfio-sim offers it at a feature index the kernel will not reach. */
    public static final int PRECOPY_INFO = 0x8000;

    public static DeviceFeature decode(ByteBuffer p) {
        Payloads.requireAtLeast(p, SIZE, "DEVICE_FEATURE");
        int b = p.position();
        DeviceFeature f = new DeviceFeature(Integer.toUnsignedLong(p.getInt(b)), p.getInt(b + 4));
        Payloads.requireArgsz(f.argsz, SIZE, "DEVICE_FEATURE");
        if ((f.flags & ~(INDEX_MASK | GET | SET | PROBE)) != 0) {
            throw ProtocolException.invalid("DEVICE_FEATURE flags 0x" + Integer.toHexString(f.flags) + " has unknown bits");
        }
        if (!f.get() && !f.set()) {
            throw ProtocolException.invalid("DEVICE_FEATURE " + f.feature() + " asks neither GET nor SET");
        }
        if (f.get() && f.set() && !f.probe()) {
            throw ProtocolException.invalid("DEVICE_FEATURE " + f.feature() + " asks GET and SET at once without PROBE");
        }
        // a SET or PROBE reply echoes the request, and a reply never exceeds argsz (the kernel: argsz
        // below the feature's struct is EINVAL)
        if ((f.set() || f.probe()) && f.argsz < p.remaining()) {
            throw ProtocolException.invalid("DEVICE_FEATURE " + f.feature() + " argsz " + f.argsz + " is smaller than the "
                    + p.remaining() + "-byte request it describes");
        }
        return f;
    }

    public int feature() {
        return flags & INDEX_MASK;
    }

    public boolean get() {
        return (flags & GET) != 0;
    }

    public boolean set() {
        return (flags & SET) != 0;
    }

    public boolean probe() {
        return (flags & PROBE) != 0;
    }

    public static void encode(ByteBuffer out, long argsz, int flags) {
        out.putInt((int) argsz).putInt(flags);
    }
}
