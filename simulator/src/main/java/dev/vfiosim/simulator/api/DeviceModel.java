package dev.vfiosim.simulator.api;

/**
 * A simulated PCI function as a user writes it: the whole contract between a device model and the
 * host that serves it. The host turns the model into the server-facing
 * {@link dev.vfiosim.simulator.VfioDevice}: it owns config space, range checks, interrupt masking
 * and delivery, the migration state machine and its sessions, dirty logging and faults; the model
 * owns its registers and its behaviour.
 *
 * <p>Threads (docs/device-api.md, "Threading"): {@link #define} runs once on the thread that
 * creates the host, before any client. Region handlers, {@link #runState} and {@link #reset} run
 * on the server's command thread, one at a time, never concurrently with each other; they may
 * block only briefly (a stop may wait for the device's own in-flight unit of work, bounded). The
 * model's own threads may use the ports ({@link DeviceHost#dma()}, {@link DeviceHost#interrupts})
 * at any time.
 */
public interface DeviceModel extends AutoCloseable {
    /**
     * Declares the device to its host: config space, regions, interrupt layout, migration; and
     * takes the ports it needs later. Called exactly once, before anything else. A refusal (bad
     * options, a layout the host rejects) is an {@link IllegalArgumentException}.
     */
    void define(DeviceHost host);

    /**
     * The migration state machine moved the device to {@code state}: RUNNING (normal operation),
     * QUIESCED (the P2P states: finish in-flight DMA, start none and raise no interrupt, internal
     * activity may go on) or STOPPED (STOP, STOP_COPY, RESUMING: nothing changes any more). Return
     * only once the device is there. Interrupts the device raises while not RUNNING are held
     * pending by the host in any case. A refusal is a {@link dev.vfiosim.simulator.DeviceException}
     * (the arc fails, the state stays where it was); a device with nothing to stop ignores it.
     */
    default void runState(RunState state) {
    }

    /**
     * DEVICE_RESET or a function-level reset: device-owned state back to power-on. Config space,
     * the MSI-X table and interrupt wiring are the VMM's and kept by the host; the host also clears
     * pending interrupts and returns the migration state to RUNNING (dropping any session) after
     * this returns.
     */
    void reset();

    /** The host is done with the device: stop its threads, release its memory. */
    @Override
    default void close() {
    }
}
