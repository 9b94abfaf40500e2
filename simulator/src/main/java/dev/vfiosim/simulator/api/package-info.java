/**
 * The device API: what a device model implements to be served by vfio-sim with everything the
 * project offers (the vfio-user server, the v2 migration state machine, dirty logging, fault
 * injection, trace, the JUnit fixtures).
 *
 * <p>A model is a {@link dev.vfiosim.simulator.api.DeviceModel}: four callbacks. In
 * {@link dev.vfiosim.simulator.api.DeviceModel#define define} it declares itself to its
 * {@link dev.vfiosim.simulator.api.DeviceHost} — config space (with the {@code pci} capability
 * builders), regions ({@link dev.vfiosim.simulator.api.RegionSpec}), interrupt counts
 * ({@link dev.vfiosim.simulator.api.IrqLayout}) and, optionally, migration in one of two styles
 * ({@link dev.vfiosim.simulator.api.OpaqueMigration} or
 * {@link dev.vfiosim.simulator.api.RecordMigration}) — and takes its ports (DMA, interrupts,
 * shared memory). The host calls {@link dev.vfiosim.simulator.api.DeviceModel#runState runState}
 * when a migration state stops, quiesces or restarts it, {@link dev.vfiosim.simulator.api.DeviceModel#reset
 * reset} on DEVICE_RESET, and {@link dev.vfiosim.simulator.api.DeviceModel#close close} at the end.
 * A {@link dev.vfiosim.simulator.api.DeviceProvider} registered in
 * {@code META-INF/services/dev.vfiosim.simulator.api.DeviceProvider} makes a model servable by name
 * ({@code vfio-sim serve --device=NAME}). docs/device-api.md has the threading contract.
 */
package dev.vfiosim.simulator.api;
