package dev.vfiosim.simulator.device.engine;

/**
 * The limits this model enforces; QUERY_HCA_CAP reports them as mlx5 capability fields
 * ({@link GeneralCapabilities#maximum}). Queue counts are powers of two (mlx5 reports log2).
 */
public record HcaCapabilities(int logMaxEqSize, int logMaxCqSize, int logMaxWqSize, int maxEq, int maxCq, int maxSq,
        int maxRq, int maxPacket, int msixVectors, long bulkStateBytes) {

    /** This model's limits. A CQE's 16-bit WQE counter names every slot of the largest WQ (2^15). */
    public static final int LIMIT_LOG_EQ_SIZE = 16;
    public static final int LIMIT_LOG_CQ_SIZE = 16;
    public static final int LIMIT_LOG_WQ_SIZE = 15;
    public static final int LIMIT_EQS = 16;
    public static final int LIMIT_CQS = 32;
    public static final int LIMIT_SQS = 16;
    public static final int LIMIT_RQS = 16;
    /** A jumbo frame. */
    public static final int LIMIT_PACKET = 9216;

    public static HcaCapabilities of(int msixVectors, long bulkStateBytes) {
        return new HcaCapabilities(LIMIT_LOG_EQ_SIZE, LIMIT_LOG_CQ_SIZE, LIMIT_LOG_WQ_SIZE, LIMIT_EQS, LIMIT_CQS, LIMIT_SQS,
                LIMIT_RQS, LIMIT_PACKET, msixVectors, bulkStateBytes);
    }
}
