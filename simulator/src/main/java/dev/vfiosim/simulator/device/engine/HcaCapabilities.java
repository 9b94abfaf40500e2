package dev.vfiosim.simulator.device.engine;

/**
 * The limits this model enforces; QUERY_HCA_CAP reports them as mlx5 capability fields
 * ({@link GeneralCapabilities#maximum}). Queue counts are powers of two (mlx5 reports log2).
 */
public record HcaCapabilities(int logMaxEqSize, int logMaxCqSize, int logMaxWqSize, int maxEq, int maxCq, int maxSq,
        int maxRq, int maxPacket, int msixVectors, long bulkStateBytes, boolean ethernet, long macAddress) {

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
        return of(msixVectors, bulkStateBytes, false, 0);
    }

    /**
     * @param ethernet advertise the Ethernet capabilities mlx5e needs ({@link EthernetFirmware})
     * @param serialNumber the function's EUI-64; its permanent MAC address is the EUI-48 inside it
     */
    public static HcaCapabilities of(int msixVectors, long bulkStateBytes, boolean ethernet, long serialNumber) {
        return new HcaCapabilities(LIMIT_LOG_EQ_SIZE, LIMIT_LOG_CQ_SIZE, LIMIT_LOG_WQ_SIZE, LIMIT_EQS, LIMIT_CQS, LIMIT_SQS,
                LIMIT_RQS, LIMIT_PACKET, msixVectors, bulkStateBytes, ethernet, macFromEui64(serialNumber));
    }

    /** An EUI-64 built from an EUI-48 (OUI, 0xFFFE, extension) gives back that EUI-48. */
    static long macFromEui64(long eui64) {
        return (eui64 >>> 40 & 0xFF_FFFFL) << 24 | eui64 & 0xFF_FFFFL;
    }
}
