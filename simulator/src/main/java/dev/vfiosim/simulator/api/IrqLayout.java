package dev.vfiosim.simulator.api;

/**
 * How many vectors each vfio interrupt index has (DEVICE_GET_IRQ_INFO). MSI is not offered. An
 * MSI-X device puts its {@link dev.vfiosim.simulator.pci.MsixCapability} in config space first
 * and names where it is; the host then owns the table and PBA and gives the device their register
 * blocks to place in its BAR ({@link dev.vfiosim.simulator.irq.InterruptController#msixTableRegisters()}).
 *
 * @param intx 0 or 1 (INTA#)
 * @param msixVectors MSI-X vectors, 0 for none
 * @param msixCapabilityOffset where the MSI-X capability is in config space; ignored without vectors
 * @param err 0 or 1 (the ERR index)
 * @param req 0 or 1 (the REQ index)
 */
public record IrqLayout(int intx, int msixVectors, int msixCapabilityOffset, int err, int req) {
    public IrqLayout {
        if ((intx | err | req) >>> 1 != 0) {
            throw new IllegalArgumentException("INTx, ERR and REQ have 0 or 1 vector each");
        }
        if (msixVectors < 0 || msixVectors > 2048) {
            throw new IllegalArgumentException("MSI-X has 0..2048 vectors, not " + msixVectors);
        }
        if (msixVectors > 0 && msixCapabilityOffset < 0x40) {
            throw new IllegalArgumentException("MSI-X vectors need the capability's config-space offset");
        }
    }

    /** INTx, ERR and REQ (one vector each), no MSI-X: a conventional PCI function. */
    public static final IrqLayout INTX_ONLY = new IrqLayout(1, 0, 0, 1, 1);

    /** INTx, ERR, REQ and {@code vectors} MSI-X vectors whose capability sits at {@code capabilityOffset}. */
    public static IrqLayout withMsix(int vectors, int capabilityOffset) {
        return new IrqLayout(1, vectors, capabilityOffset, 1, 1);
    }
}
