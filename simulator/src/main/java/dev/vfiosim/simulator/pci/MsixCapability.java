package dev.vfiosim.simulator.pci;

/**
 * MSI-X capability (ID 0x11).
 *
 * <pre>
 * off width register         access
 * +2  2     Message Control  bits 10:0 table size N-1 RO; bit 14 Function Mask RW; bit 15 Enable RW
 * +4  4     Table            bits 31:3 offset in the BAR, bits 2:0 BIR; RO
 * +8  4     PBA              bits 31:3 offset in the BAR, bits 2:0 BIR; RO
 * </pre>
 */
public record MsixCapability(int vectors, int bir, int tableOffset, int pbaOffset) implements Capability {
    public static final int ID = 0x11;
    public static final int MESSAGE_CONTROL = 0x02;
    public static final int TABLE = 0x04;
    public static final int PBA = 0x08;
    public static final int FUNCTION_MASK = 1 << 14;
    public static final int ENABLE = 1 << 15;
    public static final int MAX_VECTORS = 2048;
    private static final int OFFSET_ALIGNMENT = 8;
    private static final int LENGTH = 12;

    public MsixCapability {
        if (vectors < 1 || vectors > MAX_VECTORS) {
            throw new IllegalArgumentException("MSI-X vector count " + vectors + " is not within 1.." + MAX_VECTORS);
        }
        if (bir < 0 || bir >= PciHeader.BAR_COUNT || tableOffset % OFFSET_ALIGNMENT != 0
                || pbaOffset % OFFSET_ALIGNMENT != 0) {
            throw new IllegalArgumentException("MSI-X table/PBA placement must name a BAR and be qword aligned");
        }
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public int length() {
        return LENGTH;
    }

    @Override
    public void define(ConfigSpace config, int offset) {
        config.define(offset + MESSAGE_CONTROL, 2, vectors - 1, FUNCTION_MASK | ENABLE, 0);
        config.defineReadOnly(offset + TABLE, 4, tableOffset | bir);
        config.defineReadOnly(offset + PBA, 4, pbaOffset | bir);
    }
}
