package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;

/**
 * The migration capability flags a device advertises ({@code VFIO_DEVICE_FEATURE_MIGRATION}).
 * Only the four combinations the uAPI defines can be built: STOP_COPY is mandatory, P2P and
 * PRE_COPY optional.
 */
public record MigrationFeatures(long flags) {
    /** {@code VFIO_MIGRATION_STOP_COPY}: STOP, STOP_COPY and RESUMING exist. */
    public static final long STOP_COPY = 1L << 0;
    /** {@code VFIO_MIGRATION_P2P}: RUNNING_P2P (and PRE_COPY_P2P with PRE_COPY) exist. */
    public static final long P2P = 1L << 1;
    /** {@code VFIO_MIGRATION_PRE_COPY}: PRE_COPY (and PRE_COPY_P2P with P2P) exist. */
    public static final long PRE_COPY = 1L << 2;

    public static final MigrationFeatures STOP_COPY_ONLY = new MigrationFeatures(STOP_COPY);
    public static final MigrationFeatures WITH_P2P = new MigrationFeatures(STOP_COPY | P2P);
    public static final MigrationFeatures WITH_PRE_COPY = new MigrationFeatures(STOP_COPY | PRE_COPY);
    public static final MigrationFeatures ALL = new MigrationFeatures(STOP_COPY | P2P | PRE_COPY);

    /** The names the CLI and the JUnit extension use: stop-copy, p2p, pre-copy, all. */
    public static final String NAMES = "stop-copy, p2p, pre-copy, all";

    /** The combination called {@code name} (one of {@link #NAMES}); {@link IllegalArgumentException} otherwise. */
    public static MigrationFeatures byName(String name) {
        return switch (name) {
            case "stop-copy" -> STOP_COPY_ONLY;
            case "p2p" -> WITH_P2P;
            case "pre-copy" -> WITH_PRE_COPY;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException("'" + name + "' is not one of " + NAMES);
        };
    }

    public MigrationFeatures {
        boolean defined = (flags & STOP_COPY) != 0 && (flags & ~(STOP_COPY | P2P | PRE_COPY)) == 0;
        if (!defined) {
            throw new DeviceException(Errno.EINVAL,
                    "migration flags 0x" + Long.toHexString(flags)
                            + " are not one of the four defined combinations (STOP_COPY mandatory)");
        }
    }

    /** Whether the state exists on a device with these flags; ERROR never does. */
    public boolean supports(MigrationState state) {
        return (flags & state.requiredFeatures()) == state.requiredFeatures();
    }

    public boolean has(long flag) {
        return (flags & flag) == flag;
    }

    @Override
    public String toString() {
        StringBuilder names = new StringBuilder("STOP_COPY");
        if (has(P2P)) {
            names.append("|P2P");
        }
        if (has(PRE_COPY)) {
            names.append("|PRE_COPY");
        }
        return names.toString();
    }
}
