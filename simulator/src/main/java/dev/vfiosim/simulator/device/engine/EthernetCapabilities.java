package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The capability pages an Ethernet function reports besides the general one (QUERY_HCA_CAP types 1
 * and 7): mlx5's per_protocol_networking_offload_caps and flow_table_nic_cap, big-endian bit fields
 * numbered like {@link GeneralCapabilities} (bit 0 = the most significant bit of byte 0). They carry
 * what mlx5_core checks before it starts mlx5e and what mlx5e sizes its objects by; nothing in them
 * is settable.
 */
final class EthernetCapabilities {
    // per_protocol_networking_offload_caps
    static final int CSUM_CAP = 0x00;
    static final int VLAN_CAP = 0x01;
    static final int SELF_LB_EN_MODIFIABLE = 0x08;
    static final int MAX_LSO_CAP = 0x0b;
    static final int MAX_LSO_CAP_WIDTH = 5;
    static final int WQE_INLINE_MODE = 0x12;
    static final int WQE_INLINE_MODE_WIDTH = 2;
    static final int RSS_IND_TBL_CAP = 0x14;
    static final int RSS_IND_TBL_CAP_WIDTH = 4;
    /** The driver need not copy packet headers into the WQE (mlx5's MLX5_CAP_INLINE_MODE_NOT_REQUIRED). */
    static final int INLINE_NOT_REQUIRED = 2;
    /** 64 KiB LSO, 256-entry RSS indirection tables (log2). */
    static final int LOG_MAX_LSO = 16;
    static final int LOG_RSS_TABLE = 8;

    // flow_table_nic_cap: flow_table_properties_nic_receive (a flow_table_prop_layout) starts at bit 0x200
    static final int NIC_RECEIVE = 0x200;
    static final int FT_SUPPORT = 0x00;
    static final int FLOW_MODIFY_EN = 0x03;
    static final int MODIFY_ROOT = 0x04;
    static final int IDENTIFIED_MISS_TABLE_MODE = 0x05;
    static final int FLOW_TABLE_MODIFY = 0x06;
    static final int LOG_MAX_FT_SIZE = 0x22;
    static final int MAX_FT_LEVEL = 0x38;
    static final int LOG_MAX_FT_NUM = 0x78;
    static final int LOG_MAX_DESTINATION = 0x98;
    static final int LOG_MAX_FLOW = 0xb8;
    /** ft_field_support: outer dmac, smac, ethertype, ip_version, first_vid, sip, dip, ip_protocol, udp/tcp ports. */
    static final int FT_FIELD_SUPPORT = 0x100;
    private static final int[] MATCHABLE_FIELDS = {0x00, 0x01, 0x02, 0x03, 0x06, 0x0c, 0x0d, 0x0f, 0x12, 0x13, 0x14, 0x15};
    static final int LOG_TABLE_SIZE = 16;
    static final int TABLE_LEVELS = 63;
    static final int LOG_TABLES = 8;

    private EthernetCapabilities() {
    }

    static byte[] offloads() {
        byte[] cap = new byte[GeneralCapabilities.SIZE];
        ByteBuffer b = ByteBuffer.wrap(cap).order(ByteOrder.BIG_ENDIAN);
        GeneralCapabilities.setBits(b, 0, CSUM_CAP, 1, 1);
        GeneralCapabilities.setBits(b, 0, VLAN_CAP, 1, 1);
        GeneralCapabilities.setBits(b, 0, SELF_LB_EN_MODIFIABLE, 1, 1);
        GeneralCapabilities.setBits(b, 0, MAX_LSO_CAP, MAX_LSO_CAP_WIDTH, LOG_MAX_LSO);
        GeneralCapabilities.setBits(b, 0, WQE_INLINE_MODE, WQE_INLINE_MODE_WIDTH, INLINE_NOT_REQUIRED);
        GeneralCapabilities.setBits(b, 0, RSS_IND_TBL_CAP, RSS_IND_TBL_CAP_WIDTH, LOG_RSS_TABLE);
        return cap;
    }

    static byte[] flowTable() {
        byte[] cap = new byte[GeneralCapabilities.SIZE];
        ByteBuffer b = ByteBuffer.wrap(cap).order(ByteOrder.BIG_ENDIAN);
        for (int bit : new int[] {FT_SUPPORT, FLOW_MODIFY_EN, MODIFY_ROOT, IDENTIFIED_MISS_TABLE_MODE, FLOW_TABLE_MODIFY}) {
            GeneralCapabilities.setBits(b, 0, NIC_RECEIVE + bit, 1, 1);
        }
        GeneralCapabilities.setBits(b, 0, NIC_RECEIVE + LOG_MAX_FT_SIZE, 6, LOG_TABLE_SIZE);
        GeneralCapabilities.setBits(b, 0, NIC_RECEIVE + MAX_FT_LEVEL, Byte.SIZE, TABLE_LEVELS);
        GeneralCapabilities.setBits(b, 0, NIC_RECEIVE + LOG_MAX_FT_NUM, Byte.SIZE, LOG_TABLES);
        GeneralCapabilities.setBits(b, 0, NIC_RECEIVE + LOG_MAX_DESTINATION, Byte.SIZE, LOG_TABLES);
        GeneralCapabilities.setBits(b, 0, NIC_RECEIVE + LOG_MAX_FLOW, Byte.SIZE, LOG_TABLE_SIZE);
        for (int bit : MATCHABLE_FIELDS) {
            GeneralCapabilities.setBits(b, 0, NIC_RECEIVE + FT_FIELD_SUPPORT + bit, 1, 1);
        }
        return cap;
    }
}
