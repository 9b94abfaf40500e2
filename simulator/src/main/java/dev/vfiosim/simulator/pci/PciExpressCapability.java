package dev.vfiosim.simulator.pci;

/**
 * PCI Express capability (ID 0x10), version 2, device/port type Endpoint, 0x3C bytes. Link and
 * slot registers are zero (a virtual function has no link of its own).
 *
 * <pre>
 * off  width register                 value / access
 * +02  2     PCIe Capabilities        RO 0x0002: version 2, type 0 = Endpoint
 * +04  4     Device Capabilities      RO: bits 2:0 Max_Payload 256 B (1), bit 15 role-based
 *                                     error reporting, bit 28 FLR capable
 * +08  2     Device Control           RW bits 0-4, 7:5, 8, 11, 14:12 (reset 0x2810: relaxed
 *                                     ordering, no snoop, 512 B read requests); bit 15 Initiate
 *                                     FLR: write 1 resets the function, always reads 0
 * +0A  2     Device Status            bits 3:0 error detected RW1C
 * +0C  0x30  Link, slot, root, *2     RO 0
 * </pre>
 */
public final class PciExpressCapability implements Capability {
    public static final int ID = 0x10;
    public static final int CAPABILITIES = 0x02;
    public static final int DEVICE_CAPABILITIES = 0x04;
    public static final int DEVICE_CONTROL = 0x08;
    public static final int DEVICE_STATUS = 0x0A;
    public static final int LENGTH = 0x3C;

    public static final int VERSION_2_ENDPOINT = 0x0002;
    public static final int MAX_PAYLOAD_256 = 1;
    public static final int ROLE_BASED_ERROR_REPORTING = 1 << 15;
    public static final int FLR_CAPABLE = 1 << 28;
    /** Error reporting enables (3:0), relaxed ordering (4), max payload (7:5), extended tag (8),
     *  no snoop (11), max read request (14:12). */
    public static final int DEVICE_CONTROL_WRITABLE = 0x79FF;
    public static final int DEVICE_CONTROL_RESET = 0x2810;
    public static final int INITIATE_FLR = 1 << 15;
    public static final int DEVICE_STATUS_ERRORS = 0x000F;

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
        config.defineReadOnly(offset + CAPABILITIES, 2, VERSION_2_ENDPOINT);
        config.defineReadOnly(offset + DEVICE_CAPABILITIES, 4,
                MAX_PAYLOAD_256 | ROLE_BASED_ERROR_REPORTING | FLR_CAPABLE);
        config.define(offset + DEVICE_CONTROL, 2, DEVICE_CONTROL_RESET, DEVICE_CONTROL_WRITABLE, 0);
        config.define(offset + DEVICE_STATUS, 2, 0, 0, DEVICE_STATUS_ERRORS);
    }
}
