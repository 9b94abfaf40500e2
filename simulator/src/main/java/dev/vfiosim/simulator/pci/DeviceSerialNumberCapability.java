package dev.vfiosim.simulator.pci;

/**
 * Device Serial Number extended capability (ID 0x0003, version 1).
 *
 * <pre>
 * off width register        access
 * +4  4     serial [31:0]   RO
 * +8  4     serial [63:32]  RO
 * </pre>
 */
public record DeviceSerialNumberCapability(long serialNumber) implements ExtendedCapability {
    public static final int ID = 0x0003;
    public static final int SERIAL_LOW = 0x04;
    public static final int SERIAL_HIGH = 0x08;
    private static final int LENGTH = 12;

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
        return LENGTH;
    }

    @Override
    public void define(ConfigSpace config, int offset) {
        config.defineReadOnly(offset + SERIAL_LOW, 4, (int) serialNumber);
        config.defineReadOnly(offset + SERIAL_HIGH, 4, (int) (serialNumber >>> Integer.SIZE));
    }
}
