package dev.vfiosim.simulator.fault;

import java.util.List;

/**
 * The eight v2 migration states by name, indexed by their uAPI value. The fault model names states
 * by string so that it does not depend on the device's migration package: a plan is data that must
 * be checkable before any device exists.
 */
public final class MigrationStateNames {
    /** Index = uAPI value (enum vfio_device_mig_state). */
    public static final List<String> BY_VALUE = List.of(
            "ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P", "PRE_COPY", "PRE_COPY_P2P");

    /** In a site, {@code *} stands for any state. */
    public static final String ANY = "*";

    private MigrationStateNames() {
    }

    /** The name of a uAPI state value. */
    public static String of(int value) {
        if (value < 0 || value >= BY_VALUE.size()) {
            throw new IllegalArgumentException("no migration state has uAPI value " + value);
        }
        return BY_VALUE.get(value);
    }

    static void requireState(String name, String field, boolean wildcardAllowed) {
        FaultPlanException.require(name != null, field, "required");
        boolean known = BY_VALUE.contains(name) || (wildcardAllowed && ANY.equals(name));
        FaultPlanException.require(known, field, "unknown migration state \"" + name + "\"; expected one of "
                + String.join(", ", BY_VALUE) + (wildcardAllowed ? " or *" : ""));
    }
}
