package dev.vfiosim.simulator.api;

/** What the migration state asks of a running device (see {@link DeviceModel#runState}). */
public enum RunState {
    /** RUNNING, PRE_COPY: normal operation. */
    RUNNING,
    /** RUNNING_P2P, PRE_COPY_P2P: no new DMA and no interrupts; what was in flight is finished. */
    QUIESCED,
    /** STOP, STOP_COPY, RESUMING: no DMA, no interrupts, no internal progress. */
    STOPPED
}
