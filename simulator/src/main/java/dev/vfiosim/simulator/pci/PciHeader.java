package dev.vfiosim.simulator.pci;

/**
 * The type-0 configuration header (offsets 0x00-0x3F) of a PCI Express endpoint without I/O BARs.
 *
 * <pre>
 * off  width  register               access in this model
 * 0x00 2      Vendor ID              RO
 * 0x02 2      Device ID              RO
 * 0x04 2      Command                RW bits 1 (memory space), 2 (bus master), 6 (parity),
 *                                    8 (SERR#), 10 (INTx disable); bit 0 (I/O space) RO 0
 * 0x06 2      Status                 bit 3 interrupt status RO (mirrors INTx), bit 4 capabilities
 *                                    list RO 1, bits 8, 11-15 RW1C
 * 0x08 1      Revision ID            RO
 * 0x09 3      Class code             RO
 * 0x0C 1      Cache line size        RW
 * 0x0D 1      Latency timer          RO 0 (PCIe)
 * 0x0E 1      Header type            RO 0
 * 0x0F 1      BIST                   RO 0
 * 0x10 4x6    BAR0-BAR5              see {@link BarDescriptor}
 * 0x28 4      CardBus CIS pointer    RO 0
 * 0x2C 2      Subsystem vendor ID    RO
 * 0x2E 2      Subsystem ID           RO
 * 0x30 4      Expansion ROM BAR      RO 0 (no ROM: sizing reads back 0)
 * 0x34 1      Capabilities pointer   RO, written by {@link CapabilityListBuilder}
 * 0x3C 1      Interrupt line         RW
 * 0x3D 1      Interrupt pin          RO 1 (INTA#)
 * 0x3E 1      Min_Gnt                RO 0
 * 0x3F 1      Max_Lat                RO 0
 * </pre>
 */
public final class PciHeader {
    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    public static final int CLASS_CODE = 0x09;
    public static final int CACHE_LINE_SIZE = 0x0C;
    public static final int HEADER_TYPE = 0x0E;
    public static final int BAR0 = 0x10;
    public static final int BAR_COUNT = 6;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2C;
    public static final int SUBSYSTEM_ID = 0x2E;
    public static final int EXPANSION_ROM = 0x30;
    public static final int CAPABILITIES_POINTER = 0x34;
    public static final int INTERRUPT_LINE = 0x3C;
    public static final int INTERRUPT_PIN = 0x3D;
    /** First byte after the header: where the capability list may start. */
    public static final int END = 0x40;

    public static final int COMMAND_MEMORY_SPACE = 1 << 1;
    public static final int COMMAND_BUS_MASTER = 1 << 2;
    public static final int COMMAND_PARITY_ERROR_RESPONSE = 1 << 6;
    public static final int COMMAND_SERR = 1 << 8;
    public static final int COMMAND_INTX_DISABLE = 1 << 10;
    static final int COMMAND_WRITABLE = COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER
            | COMMAND_PARITY_ERROR_RESPONSE | COMMAND_SERR | COMMAND_INTX_DISABLE;

    public static final int STATUS_INTERRUPT = 1 << 3;
    public static final int STATUS_CAPABILITIES_LIST = 1 << 4;
    /** Master data parity error (8), signaled/received target abort, master abort, SERR, parity (11-15). */
    public static final int STATUS_ERRORS = 1 << 8 | 0xF800;

    public static final int INTERRUPT_PIN_INTA = 1;

    private PciHeader() {
    }

    /** Defines the header's registers; BARs and the capability list are added by their own builders. */
    public static void define(ConfigSpace config, PciIdentity identity) {
        config.defineReadOnly(VENDOR_ID, 2, identity.vendorId());
        config.defineReadOnly(DEVICE_ID, 2, identity.deviceId());
        config.define(COMMAND, 2, 0, COMMAND_WRITABLE, 0);
        config.define(STATUS, 2, 0, 0, STATUS_ERRORS);
        config.defineReadOnly(REVISION_ID, 1, identity.revision());
        config.defineReadOnly(CLASS_CODE, 1, identity.classCode());
        config.defineReadOnly(CLASS_CODE + 1, 2, identity.classCode() >>> 8);
        config.define(CACHE_LINE_SIZE, 1, 0, 0xFF, 0);
        config.defineReadOnly(HEADER_TYPE, 1, 0);
        config.defineReadOnly(SUBSYSTEM_VENDOR_ID, 2, identity.subsystemVendorId());
        config.defineReadOnly(SUBSYSTEM_ID, 2, identity.subsystemId());
        config.defineReadOnly(EXPANSION_ROM, 4, 0);
        config.define(INTERRUPT_LINE, 1, 0, 0xFF, 0);
        config.defineReadOnly(INTERRUPT_PIN, 1, INTERRUPT_PIN_INTA);
    }
}
