package dev.vfiosim.simulator.pci;

/**
 * PCI Power Management capability (ID 0x01), version 1.2, without PME or D1/D2 support.
 *
 * <pre>
 * off width register  access
 * +2  2     PMC       RO 0x0003 (version 3 = PM 1.2)
 * +4  2     PMCSR     bits 1:0 PowerState RW; bit 3 No_Soft_Reset RO 1; bit 15 PME_Status RW1C
 * +6  1     PMCSR_BSE RO 0
 * +7  1     Data      RO 0
 * </pre>
 */
public final class PowerManagementCapability implements Capability {
    public static final int ID = 0x01;
    public static final int CAPABILITIES = 0x02;
    public static final int CONTROL_STATUS = 0x04;
    public static final int POWER_STATE = 0b11;
    public static final int NO_SOFT_RESET = 1 << 3;
    public static final int PME_STATUS = 1 << 15;
    private static final int VERSION_1_2 = 3;
    private static final int LENGTH = 8;

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
        config.defineReadOnly(offset + CAPABILITIES, 2, VERSION_1_2);
        config.define(offset + CONTROL_STATUS, 2, NO_SOFT_RESET, POWER_STATE, PME_STATUS);
    }
}
