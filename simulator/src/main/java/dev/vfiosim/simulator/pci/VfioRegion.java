package dev.vfiosim.simulator.pci;

/** The vfio region indices of a PCI device (VFIO_PCI_*_REGION_INDEX). */
public final class VfioRegion {
    public static final int BAR0 = 0;
    public static final int BAR5 = 5;
    public static final int ROM = 6;
    public static final int CONFIG = 7;
    public static final int VGA = 8;
    /** A PCI device reports at least this many regions (BAR0-5, ROM, config, VGA). */
    public static final int COUNT = 9;

    private VfioRegion() {
    }
}
