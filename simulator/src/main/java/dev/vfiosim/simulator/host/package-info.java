/**
 * The generic device host: turns a {@link dev.vfiosim.simulator.api.DeviceModel} into the
 * server-facing {@link dev.vfiosim.simulator.VfioDevice} — config space, region range checks,
 * interrupts, the migration state machine with either migration style, and the fault decorators
 * around the device's DMA port and migration.
 */
package dev.vfiosim.simulator.host;
