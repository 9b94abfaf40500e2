package dev.vfiosim.simulator.irq;

/** What DEVICE_GET_IRQ_INFO reports for one interrupt index. */
public record IrqInfo(IrqType type, int count, boolean maskable, boolean automasked, boolean noResize) {
}
