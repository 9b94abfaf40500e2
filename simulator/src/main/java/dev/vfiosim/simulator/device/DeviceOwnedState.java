package dev.vfiosim.simulator.device;

/**
 * The state that belongs to the device: what a migration stream carries and a function reset
 * reinitialises. Device memory (the BAR0 window) is device-owned too and is held by {@link Bar0}.
 */
public final class DeviceOwnedState {
    private final RunningClock clock;
    private final InitializationSegment initSegment = new InitializationSegment();
    private final HealthArea health;

    public DeviceOwnedState(RunningClock clock) {
        this.clock = clock;
        this.health = new HealthArea(clock);
    }

    public RunningClock clock() {
        return clock;
    }

    public InitializationSegment initSegment() {
        return initSegment;
    }

    public HealthArea health() {
        return health;
    }

    /** Back to the state after power-on: initialising, no command queue, clock from zero. */
    public void reset() {
        initSegment.reset();
        clock.restart();
    }
}
