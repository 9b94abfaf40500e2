package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;

/**
 * What the function supports; QUERY_HCA_CAP's output.
 *
 * <pre>
 * off   size  field
 * 0x00  u8    log_max_eq_sz   largest EQ is 2^this entries
 * 0x01  u8    log_max_cq_sz
 * 0x02  u8    log_max_wq_sz   SQs and RQs
 * 0x03  u8    reserved
 * 0x04  u16   max_eq          EQs that may exist at once
 * 0x06  u16   max_cq
 * 0x08  u16   max_sq
 * 0x0A  u16   max_rq
 * 0x0C  u16   max_packet      bytes per packet (send WQE length limit)
 * 0x0E  u16   msix_vectors    the function's MSI-X table size
 * 0x10  u64   bulk_state      bytes of device-owned internal memory (firmware/ICM-like)
 * </pre>
 */
public record HcaCapabilities(int logMaxEqSize, int logMaxCqSize, int logMaxWqSize, int maxEq, int maxCq, int maxSq,
        int maxRq, int maxPacket, int msixVectors, long bulkStateBytes) {
    public static final int SIZE = 0x18;
    public static final int LOG_MAX_EQ_SZ = 0x00;
    public static final int LOG_MAX_CQ_SZ = 0x01;
    public static final int LOG_MAX_WQ_SZ = 0x02;
    public static final int MAX_EQ = 0x04;
    public static final int MAX_CQ = 0x06;
    public static final int MAX_SQ = 0x08;
    public static final int MAX_RQ = 0x0A;
    public static final int MAX_PACKET = 0x0C;
    public static final int MSIX_VECTORS = 0x0E;
    public static final int BULK_STATE = 0x10;

    /** This model's limits. A CQE's 16-bit WQE counter names every slot of the largest WQ (2^15). */
    public static final int LIMIT_LOG_EQ_SIZE = 12;
    public static final int LIMIT_LOG_CQ_SIZE = 16;
    public static final int LIMIT_LOG_WQ_SIZE = 15;
    public static final int LIMIT_EQS = 8;
    public static final int LIMIT_CQS = 32;
    public static final int LIMIT_SQS = 16;
    public static final int LIMIT_RQS = 16;
    /** A jumbo frame. */
    public static final int LIMIT_PACKET = 9216;

    public static HcaCapabilities of(int msixVectors, long bulkStateBytes) {
        return new HcaCapabilities(LIMIT_LOG_EQ_SIZE, LIMIT_LOG_CQ_SIZE, LIMIT_LOG_WQ_SIZE, LIMIT_EQS, LIMIT_CQS, LIMIT_SQS,
                LIMIT_RQS, LIMIT_PACKET, msixVectors, bulkStateBytes);
    }

    public static HcaCapabilities decode(ByteBuffer output) {
        return new HcaCapabilities(Byte.toUnsignedInt(output.get(LOG_MAX_EQ_SZ)), Byte.toUnsignedInt(output.get(LOG_MAX_CQ_SZ)),
                Byte.toUnsignedInt(output.get(LOG_MAX_WQ_SZ)), Short.toUnsignedInt(output.getShort(MAX_EQ)),
                Short.toUnsignedInt(output.getShort(MAX_CQ)), Short.toUnsignedInt(output.getShort(MAX_SQ)),
                Short.toUnsignedInt(output.getShort(MAX_RQ)), Short.toUnsignedInt(output.getShort(MAX_PACKET)),
                Short.toUnsignedInt(output.getShort(MSIX_VECTORS)), output.getLong(BULK_STATE));
    }

    public void encode(ByteBuffer output) {
        output.put(LOG_MAX_EQ_SZ, (byte) logMaxEqSize).put(LOG_MAX_CQ_SZ, (byte) logMaxCqSize)
                .put(LOG_MAX_WQ_SZ, (byte) logMaxWqSize).putShort(MAX_EQ, (short) maxEq).putShort(MAX_CQ, (short) maxCq)
                .putShort(MAX_SQ, (short) maxSq).putShort(MAX_RQ, (short) maxRq).putShort(MAX_PACKET, (short) maxPacket)
                .putShort(MSIX_VECTORS, (short) msixVectors).putLong(BULK_STATE, bulkStateBytes);
    }
}
