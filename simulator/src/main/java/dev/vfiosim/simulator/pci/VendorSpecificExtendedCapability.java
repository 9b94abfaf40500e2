package dev.vfiosim.simulator.pci;

/**
 * Vendor-Specific Extended Capability (ID 0x000B, version 1) carrying read-only dwords.
 *
 * <pre>
 * off width register      bits
 * +4  4     VSEC header   15:0 VSEC ID, 19:16 VSEC revision, 31:20 length of the whole capability
 * +8  4*n   payload       RO
 * </pre>
 */
public record VendorSpecificExtendedCapability(int vsecId, int vsecRevision, int[] payload)
        implements ExtendedCapability {
    public static final int ID = 0x000B;
    public static final int VSEC_HEADER = 0x04;
    public static final int PAYLOAD = 0x08;
    private static final int REVISION_SHIFT = 16;
    private static final int LENGTH_SHIFT = 20;

    public VendorSpecificExtendedCapability {
        payload = payload.clone();
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public int length() {
        return PAYLOAD + Integer.BYTES * payload.length;
    }

    @Override
    public void define(ConfigSpace config, int offset) {
        config.defineReadOnly(offset + VSEC_HEADER, 4,
                vsecId | vsecRevision << REVISION_SHIFT | length() << LENGTH_SHIFT);
        for (int i = 0; i < payload.length; i++) {
            config.defineReadOnly(offset + PAYLOAD + Integer.BYTES * i, 4, payload[i]);
        }
    }
}
