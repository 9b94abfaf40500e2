package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;

/**
 * The eight device states of the VFIO migration uAPI v2, with the numbers that travel in
 * MIG_DEVICE_STATE and the feature flags each state needs (the kernel's {@code state_flags_table}).
 */
public enum MigrationState {
    /** Failed; only a device reset leaves it. Its "needs" are all ones, so it is never supported. */
    ERROR(0, ~0L),
    STOP(1, MigrationFeatures.STOP_COPY),
    RUNNING(2, MigrationFeatures.STOP_COPY),
    STOP_COPY(3, MigrationFeatures.STOP_COPY),
    RESUMING(4, MigrationFeatures.STOP_COPY),
    RUNNING_P2P(5, MigrationFeatures.STOP_COPY | MigrationFeatures.P2P),
    PRE_COPY(6, MigrationFeatures.STOP_COPY | MigrationFeatures.PRE_COPY),
    PRE_COPY_P2P(7, MigrationFeatures.STOP_COPY | MigrationFeatures.P2P | MigrationFeatures.PRE_COPY);

    private static final MigrationState[] BY_VALUE = values();

    private final int value;
    private final long requiredFeatures;

    MigrationState(int value, long requiredFeatures) {
        this.value = value;
        this.requiredFeatures = requiredFeatures;
    }

    /** The uAPI number ({@code VFIO_DEVICE_STATE_*}). */
    public int value() {
        return value;
    }

    /** The feature flags a device must advertise for this state to exist on it. */
    long requiredFeatures() {
        return requiredFeatures;
    }

    /** The state for a uAPI number; any other number is refused as the kernel does (-EINVAL). */
    public static MigrationState ofValue(int value) {
        if (value < 0 || value >= BY_VALUE.length) {
            throw new DeviceException(Errno.EINVAL, "no migration state has the value " + value);
        }
        return BY_VALUE[value];
    }
}
