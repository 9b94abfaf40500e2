package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.irq.MsixTable;
import dev.vfiosim.simulator.pci.ConfigSpace;

/**
 * The state that belongs to the VMM: it restores these itself after a migration, so a device
 * state stream must never carry or overwrite them, and a device reset leaves them alone (except
 * the PBA's pending bits, which describe the device's pre-reset interrupts). The interrupt wiring
 * from SET_IRQS is VMM-owned too and lives in the interrupt controller next to the table.
 */
public record VmmOwnedState(ConfigSpace config, MsixTable msix) {
}
