package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The general device capabilities (mlx5's cmd_hca_cap, 4 KiB, big-endian bit fields) that
 * QUERY_HCA_CAP returns for capability type 0 and SET_HCA_CAP changes. A field is named by its bit
 * offset from the start of the capability and its width, as mlx5_ifc numbers them: bit 0 is the
 * most significant bit of byte 0. {@link #maximum} is this model's Ethernet VF; the current set
 * starts equal to it and SET_HCA_CAP may change the fields listed as {@link Field#settable}.
 */
public final class GeneralCapabilities {
    public static final int SIZE = 0x1000;
    /** QUERY_HCA_CAP op_mod: bit 0 = current (1) or maximum (0), bits 15:1 = capability type. */
    public static final int CURRENT = 1;
    public static final int TYPE_GENERAL = 0;
    public static final int PORT_TYPE_ETHERNET = 1;
    /** The internal timer counts nanoseconds: a 1 GHz device clock. */
    public static final int DEVICE_FREQUENCY_KHZ = 1_000_000;
    private static final int BITS_PER_DWORD = Integer.SIZE;

    /** The fields this model sets (bit offset, width) — the values come from {@link #maximum}. */
    public enum Field {
        VHCA_ID(0x30, 16, false),
        LOG_MAX_SRQ_SZ(0x80, 8, false),
        LOG_MAX_QP_SZ(0x88, 8, false),
        LOG_MAX_QP(0x9b, 5, true),
        LOG_MAX_CQ_SZ(0xc8, 8, false),
        LOG_MAX_CQ(0xdb, 5, false),
        LOG_MAX_EQ_SZ(0xe0, 8, false),
        LOG_MAX_MKEY(0xea, 6, false),
        LOG_MAX_EQ(0xfc, 4, false),
        LOG_MAX_MRW_SZ(0x109, 7, false),
        LOG_MAX_KLM_LIST_SIZE(0x11a, 6, false),
        PKEY_TABLE_SIZE(0x190, 16, true),
        PORT_TYPE(0x1b6, 2, false),
        NIC_FLOW_TABLE(0x1a6, 1, false),
        NUM_PORTS(0x1b8, 8, false),
        LOG_MAX_MSG(0x1c3, 5, false),
        CQE_VERSION(0x1fc, 4, true),
        CMDIF_CHECKSUM(0x210, 2, true),
        ETH_NET_OFFLOADS(0x21c, 1, false),
        CQ_MODERATION(0x222, 1, false),
        UAR_4K(0x240, 1, true),
        LOG_PG_SZ(0x258, 8, false),
        LOG_BF_REG_SIZE(0x26b, 5, false),
        MAX_WQE_SZ_SQ(0x290, 16, false),
        MAX_WQE_SZ_RQ(0x2b0, 16, false),
        LOG_MAX_TRANSPORT_DOMAIN(0x323, 5, false),
        LOG_MAX_PD(0x32b, 5, false),
        LOG_MAX_RQ(0x363, 5, false),
        LOG_MAX_SQ(0x36b, 5, false),
        LOG_MAX_TIR(0x373, 5, false),
        LOG_MAX_TIS(0x37b, 5, false),
        LOG_MAX_RQT(0x38b, 5, false),
        LOG_MAX_RQT_SIZE(0x393, 5, false),
        LOG_MAX_WQ_SZ(0x3db, 5, false),
        LOG_MAX_VLAN_LIST(0x3eb, 5, false),
        LOG_MAX_CURRENT_MC_LIST(0x3f3, 5, false),
        LOG_MAX_CURRENT_UC_LIST(0x3fb, 5, false),
        LOG_UAR_PAGE_SZ(0x490, 16, true),
        DEVICE_FREQUENCY_MHZ(0x4c0, 32, false),
        DEVICE_FREQUENCY_KHZ(0x4e0, 32, false);

        final int bit;
        final int width;
        final boolean settable;

        Field(int bit, int width, boolean settable) {
            this.bit = bit;
            this.width = width;
            this.settable = settable;
        }
    }

    private GeneralCapabilities() {
    }

    /** The model's maximum capabilities, coherent with the limits the engine enforces. */
    public static byte[] maximum(HcaCapabilities limits) {
        byte[] cap = new byte[SIZE];
        ByteBuffer b = ByteBuffer.wrap(cap).order(ByteOrder.BIG_ENDIAN);
        set(b, 0, Field.LOG_MAX_SRQ_SZ, 15);
        set(b, 0, Field.LOG_MAX_QP_SZ, 15);
        set(b, 0, Field.LOG_MAX_QP, 18);
        set(b, 0, Field.LOG_MAX_CQ_SZ, limits.logMaxCqSize());
        set(b, 0, Field.LOG_MAX_CQ, log2(limits.maxCq()));
        set(b, 0, Field.LOG_MAX_EQ_SZ, limits.logMaxEqSize());
        set(b, 0, Field.LOG_MAX_MKEY, 16);
        set(b, 0, Field.LOG_MAX_EQ, log2(limits.maxEq()));
        set(b, 0, Field.LOG_MAX_MRW_SZ, 64);
        set(b, 0, Field.LOG_MAX_KLM_LIST_SIZE, 16);
        set(b, 0, Field.PORT_TYPE, PORT_TYPE_ETHERNET);
        set(b, 0, Field.NUM_PORTS, 1);
        set(b, 0, Field.LOG_MAX_MSG, 20);
        set(b, 0, Field.CQE_VERSION, 1);
        set(b, 0, Field.LOG_PG_SZ, 12);
        set(b, 0, Field.LOG_BF_REG_SIZE, 9);
        set(b, 0, Field.MAX_WQE_SZ_SQ, 1024);
        set(b, 0, Field.MAX_WQE_SZ_RQ, 1024);
        set(b, 0, Field.LOG_MAX_TRANSPORT_DOMAIN, 16);
        set(b, 0, Field.LOG_MAX_PD, 16);
        set(b, 0, Field.LOG_MAX_RQ, log2(limits.maxRq()));
        set(b, 0, Field.LOG_MAX_SQ, log2(limits.maxSq()));
        set(b, 0, Field.LOG_MAX_TIR, 10);
        set(b, 0, Field.LOG_MAX_TIS, 10);
        set(b, 0, Field.LOG_MAX_RQT, 10);
        set(b, 0, Field.LOG_MAX_RQT_SIZE, 10);
        set(b, 0, Field.LOG_MAX_WQ_SZ, limits.logMaxWqSize());
        set(b, 0, Field.LOG_MAX_VLAN_LIST, 8);
        set(b, 0, Field.LOG_MAX_CURRENT_MC_LIST, 8);
        set(b, 0, Field.LOG_MAX_CURRENT_UC_LIST, 8);
        set(b, 0, Field.DEVICE_FREQUENCY_MHZ, DEVICE_FREQUENCY_KHZ / 1000);
        set(b, 0, Field.DEVICE_FREQUENCY_KHZ, DEVICE_FREQUENCY_KHZ);
        if (limits.ethernet()) {
            // what mlx5_core checks before it starts mlx5e; the capability pages are EthernetCapabilities
            set(b, 0, Field.ETH_NET_OFFLOADS, 1);
            set(b, 0, Field.NIC_FLOW_TABLE, 1);
            set(b, 0, Field.CQ_MODERATION, 1);
        }
        return cap;
    }

    /** SET_HCA_CAP: the settable fields of {@code requested} (a capability at {@code at}) replace those of {@code current}. */
    static void applySettable(byte[] current, ByteBuffer requested, int at) {
        ByteBuffer cur = ByteBuffer.wrap(current).order(ByteOrder.BIG_ENDIAN);
        Arrays.stream(Field.values()).filter(f -> f.settable).forEach(f -> set(cur, 0, f, get(requested, at, f)));
    }

    /** Reads a field of the capability starting at byte {@code at} of {@code b} (big-endian). */
    public static long get(ByteBuffer b, int at, Field f) {
        return getBits(b, at, f.bit, f.width);
    }

    /** Reads the field of {@code width} bits (1..32, inside one dword) at mlx5 bit offset {@code bit} from byte {@code at}. */
    static long getBits(ByteBuffer b, int at, int bit, int width) {
        if (width == BITS_PER_DWORD) {
            return Integer.toUnsignedLong(b.getInt(at + bit / Byte.SIZE));
        }
        int dword = at + bit / BITS_PER_DWORD * Integer.BYTES;
        int shift = BITS_PER_DWORD - bit % BITS_PER_DWORD - width;
        return b.getInt(dword) >>> shift & (1L << width) - 1;
    }

    /** Writes a field of the capability starting at byte {@code at} (the driver side of SET_HCA_CAP). */
    public static void set(ByteBuffer b, int at, Field f, long value) {
        setBits(b, at, f.bit, f.width, value);
    }

    /** Writes a field of {@code width} bits (1..32, inside one dword) at mlx5 bit offset {@code bit} from byte {@code at}. */
    static void setBits(ByteBuffer b, int at, int bit, int width, long value) {
        if (width == BITS_PER_DWORD) {
            b.putInt(at + bit / Byte.SIZE, (int) value);
            return;
        }
        int dword = at + bit / BITS_PER_DWORD * Integer.BYTES;
        int shift = BITS_PER_DWORD - bit % BITS_PER_DWORD - width;
        int mask = (int) ((1L << width) - 1) << shift;
        b.putInt(dword, b.getInt(dword) & ~mask | (int) (value << shift) & mask);
    }

    private static int log2(int n) {
        return Integer.SIZE - 1 - Integer.numberOfLeadingZeros(n);
    }
}
