package dev.vfiosim.simulator.migration;

/**
 * The device engine's part of the arcs: how it stops, starts and P2P-quiesces. Each method
 * returns only once the device is there (arcs are synchronous). A refusal is a
 * {@link dev.vfiosim.simulator.DeviceException}; {@link DeviceBrokenException} when the engine
 * no longer knows its state.
 */
public interface DeviceRunControl {
    void quiesceP2P();

    void unquiesceP2P();

    void stop();

    void start();

    /** Start straight into the P2P-quiesced condition (STOP → RUNNING_P2P): no window of P2P DMA. */
    default void startQuiesced() {
        start();
        quiesceP2P();
    }
}
