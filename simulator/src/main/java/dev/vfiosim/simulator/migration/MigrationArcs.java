package dev.vfiosim.simulator.migration;

/**
 * What a device does on each single-step arc of the migration state machine. The state machine
 * calls exactly one method per arc (see {@link Arc} for which arc calls which), in path order, and
 * never calls one for a state the device does not advertise.
 *
 * <p>An arc refuses by throwing {@link dev.vfiosim.simulator.DeviceException}: the device is still
 * in the state the arc started from. It throws {@link DeviceBrokenException} when it cannot tell
 * what state it is in any more; the state machine then enters ERROR.
 */
public interface MigrationArcs {
    /** RUNNING → RUNNING_P2P, PRE_COPY → PRE_COPY_P2P: start no new P2P DMA; drain outstanding. */
    void quiesceP2P();

    /** RUNNING_P2P → RUNNING, PRE_COPY_P2P → PRE_COPY: lift the P2P restriction. */
    void unquiesceP2P();

    /** RUNNING → STOP, RUNNING_P2P → STOP: no DMA, no interrupts, no internal progress. */
    void stopDevice();

    /** STOP → RUNNING: resume operation. */
    void startDevice();

    /** STOP → RUNNING_P2P: resume operation without ever starting P2P DMA on the way. */
    default void startDeviceP2P() {
        startDevice();
    }

    /** RUNNING → PRE_COPY, RUNNING_P2P → PRE_COPY_P2P: open a save session, start tracking changes. */
    void startPreCopy();

    /** STOP → STOP_COPY: open a save session of the stopped device's full state. */
    void startStopCopy();

    /** PRE_COPY → STOP_COPY, PRE_COPY_P2P → STOP_COPY: stop the device; the session goes on with the final state. */
    void enterStopCopy();

    /** STOP_COPY → STOP, PRE_COPY → RUNNING, PRE_COPY_P2P → RUNNING_P2P: end the save session. */
    void endSaving();

    /** STOP → RESUMING: open a resume session. */
    void startResuming();

    /** RESUMING → STOP: validate everything written and apply it, or refuse and apply nothing. */
    void commitResume();

    /** Device reset: drop any save or resume session. Not an arc: it is how ERROR is left. */
    void dropSessions();
}
