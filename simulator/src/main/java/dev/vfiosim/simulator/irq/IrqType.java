package dev.vfiosim.simulator.irq;

/** The vfio interrupt indices, numbered as in the vfio-user DEVICE_GET_IRQ_INFO / SET_IRQS "index". */
public enum IrqType {
    INTX,
    MSI,
    MSIX,
    ERR,
    REQ;

    /** The vfio index of this type (its ordinal is the wire value). */
    public int index() {
        return ordinal();
    }

    /** The type for a vfio index, or {@code null} when the index names no interrupt type. */
    public static IrqType ofIndex(int index) {
        IrqType[] all = values();
        return index >= 0 && index < all.length ? all[index] : null;
    }
}
