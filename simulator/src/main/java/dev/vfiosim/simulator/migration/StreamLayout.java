package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The byte layout of a vfio-sim migration stream. Everything is little-endian.
 *
 * <pre>
 * Stream header (24 bytes, once, at stream offset 0)
 * | off | size | field                                         |
 * |   0 |    8 | magic "VFSIMMIG" (0x47494d4d4953_4656 as u64) |
 * |   8 |    4 | format version (1)                            |
 * |  12 |    2 | PCI vendor id                                 |
 * |  14 |    2 | PCI device id                                 |
 * |  16 |    4 | model revision                                |
 * |  20 |    4 | migration feature flags of the source         |
 *
 * Record = record header (16 bytes) + payload (length bytes) + trailer (4 bytes)
 * | off | size | field                                         |
 * |   0 |    4 | tag (0 = END)                                 |
 * |   4 |    2 | flags: bit 0 = OPTIONAL (a reader that does   |
 * |     |      | not know the tag skips it); other bits 0      |
 * |   6 |    2 | record version (the component's layout)       |
 * |   8 |    8 | payload length                                |
 * |  16 |    n | payload                                       |
 * |16+n |    4 | CRC32C of the record header and the payload   |
 * </pre>
 *
 * The checksum sits in a trailer so that a writer can emit a payload of any size as it produces
 * it and a reader can check it without holding the payload. The stream ends with an END record
 * (tag 0, length 0); nothing may follow it.
 */
public final class StreamLayout {
    public static final long MAGIC = 0x47494d4d49534656L;
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_SIZE = 24;
    static final int HEADER_MAGIC = 0;
    static final int HEADER_VERSION = 8;
    static final int HEADER_VENDOR = 12;
    static final int HEADER_DEVICE = 14;
    static final int HEADER_MODEL = 16;
    static final int HEADER_FEATURES = 20;

    public static final int RECORD_HEADER_SIZE = 16;
    static final int RECORD_TAG = 0;
    static final int RECORD_FLAGS = 4;
    static final int RECORD_VERSION = 6;
    static final int RECORD_LENGTH = 8;
    public static final int TRAILER_SIZE = 4;

    public static final int FLAG_OPTIONAL = 1;
    public static final int END_TAG = 0;
    /** END's own record version; it has no payload to lay out. */
    static final int END_VERSION = 1;
    /** Largest payload a reader accepts (1 TiB): bounds a corrupt length before anything is staged. */
    public static final long MAX_PAYLOAD = 1L << 40;

    private StreamLayout() {}

    /** Bytes one record of this payload length occupies in the stream. */
    public static long framedSize(long payloadLength) {
        return RECORD_HEADER_SIZE + payloadLength + TRAILER_SIZE;
    }

    static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer encodeHeader(DeviceIdentity identity, MigrationFeatures features) {
        ByteBuffer b = littleEndian(HEADER_SIZE);
        b.putLong(HEADER_MAGIC, MAGIC);
        b.putInt(HEADER_VERSION, FORMAT_VERSION);
        b.putShort(HEADER_VENDOR, (short) identity.vendorId());
        b.putShort(HEADER_DEVICE, (short) identity.deviceId());
        b.putInt(HEADER_MODEL, identity.modelRevision());
        b.putInt(HEADER_FEATURES, (int) features.flags());
        return b;
    }

    static DeviceIdentity headerIdentity(ByteBuffer header) {
        return new DeviceIdentity(Short.toUnsignedInt(header.getShort(HEADER_VENDOR)),
                Short.toUnsignedInt(header.getShort(HEADER_DEVICE)), header.getInt(HEADER_MODEL));
    }

    static ByteBuffer encodeRecordHeader(int tag, boolean optional, int version, long length) {
        ByteBuffer b = littleEndian(RECORD_HEADER_SIZE);
        b.putInt(RECORD_TAG, tag);
        b.putShort(RECORD_FLAGS, (short) (optional ? FLAG_OPTIONAL : 0));
        b.putShort(RECORD_VERSION, (short) version);
        b.putLong(RECORD_LENGTH, length);
        return b;
    }
}
