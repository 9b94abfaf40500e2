/**
 * libvfio-user's {@code samples/server.c} device, played faithfully so that libvfio-user's own
 * {@code samples/client.c} drives vfio-sim end to end, migration to a second process included
 * ({@code serve --device=sample}; the facts are in docs/device-api.md, "Walk-through: the sample
 * device").
 *
 * <p>Each class is one part of that program's behaviour and knows nothing of sockets: the
 * config space as libvfio-user emulates it ({@link SampleConfigSpace}), the BAR0 timer register
 * ({@link TimerRegister}), BAR1's storage ({@link Bar1Storage}), the sample's own table of DMA
 * regions ({@link DmaSlots}), what it does when the timer expires ({@link TimerExpiry}) and its
 * migration data ({@link SampleMigrationData}).
 */
package dev.vfiosim.simulator.sample;
