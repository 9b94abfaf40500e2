package dev.vfiosim.simulator.api;

import dev.vfiosim.simulator.migration.MigrationState;

/** A device's callback on each single arc the host's migration state machine takes. */
@FunctionalInterface
public interface MigrationTransitions {
    /**
     * The state machine is about to take the single arc {@code from -> to} (the kernel's arcs: a
     * request RUNNING -> STOP_COPY calls this twice, RUNNING -> STOP then STOP -> STOP_COPY). Called
     * on the command thread before the host's own part of the arc (stopping or starting the device
     * through {@link DeviceModel#runState}, opening or closing sessions). Throw a
     * {@link dev.vfiosim.simulator.DeviceException} to refuse: nothing of the arc happens and the
     * state stays {@code from}; a {@link dev.vfiosim.simulator.migration.DeviceBrokenException}
     * puts the device in ERROR.
     */
    void transition(MigrationState from, MigrationState to);

    /** Takes no notice of arcs. */
    MigrationTransitions NONE = (from, to) -> { };
}
