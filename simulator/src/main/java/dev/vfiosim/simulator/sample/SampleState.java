package dev.vfiosim.simulator.sample;

/**
 * The device states the sample's transition callback sees: libvfio-user's own enum (logged by the
 * sample as {@code migration: transition to device state N}), not the vfio-user numbering.
 */
public enum SampleState {
    STOP(0),
    RUNNING(1),
    STOP_AND_COPY(2),
    PRE_COPY(3),
    RESUME(4);

    private final int code;

    SampleState(int code) {
        this.code = code;
    }

    /** The number libvfio-user gives the state. */
    public int code() {
        return code;
    }

    /** The state for a vfio-user migration state (STOP 1, RUNNING 2, STOP_COPY 3, RESUMING 4, PRE_COPY 6). */
    public static SampleState ofVfioUser(int state) {
        return switch (state) {
            case 1 -> STOP;
            case 2 -> RUNNING;
            case 3 -> STOP_AND_COPY;
            case 4 -> RESUME;
            case 6 -> PRE_COPY;
            default -> throw new IllegalArgumentException("the sample has no counterpart of vfio-user state " + state);
        };
    }
}
