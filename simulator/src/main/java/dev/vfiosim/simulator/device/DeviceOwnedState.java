package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.device.bulk.BulkState;
import dev.vfiosim.simulator.device.bulk.BulkStateActivity;
import dev.vfiosim.simulator.device.bulk.BulkStateHeader;
import dev.vfiosim.simulator.device.engine.DeviceEngine;
import dev.vfiosim.simulator.device.engine.DoorbellPage;
import dev.vfiosim.simulator.device.engine.EngineState;
import dev.vfiosim.simulator.device.engine.UarPages;

/**
 * The state that belongs to the device: what a migration stream carries and a function reset
 * reinitialises. Device memory (the BAR0 window) is device-owned too and is held by {@link Bar0}.
 * Each part describes itself with a record: {@link #engineState()} (command interface, queue
 * contexts with their indexes and counters), {@link #bulkStateHeader()} plus the pages of
 * {@link #bulkState()}.
 */
public final class DeviceOwnedState {
    private final RunningClock clock;
    private final InitializationSegment initSegment;
    private final HealthArea health;
    private final DoorbellPage doorbells = new DoorbellPage();
    private final UarPages uars = new UarPages(doorbells);
    private DeviceEngine engine;
    private BulkState bulkState;
    private BulkStateActivity bulkActivity;

    public DeviceOwnedState(RunningClock clock) {
        this(clock, InitializationSegment.DEFAULT_BOOT_DELAY_NANOS);
    }

    /** @param bootDelayNanos device time from reset until the init segment stops saying "initializing" */
    public DeviceOwnedState(RunningClock clock, long bootDelayNanos) {
        this.clock = clock;
        this.health = new HealthArea(clock);
        this.initSegment = new InitializationSegment(clock::sinceRestartNanos, bootDelayNanos);
    }

    /** Called once by the function that runs the engine and owns the bulk state. */
    void attach(DeviceEngine engine, BulkState bulkState, BulkStateActivity bulkActivity) {
        this.engine = engine;
        this.bulkState = bulkState;
        this.bulkActivity = bulkActivity;
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

    /** The queue doorbell registers at BAR0 0x4000. */
    public DoorbellPage doorbells() {
        return doorbells;
    }

    /** The UAR pages from BAR0 0x20000 (EQ doorbells). */
    public UarPages uars() {
        return uars;
    }

    public DeviceEngine engine() {
        return engine;
    }

    public BulkState bulkState() {
        return bulkState;
    }

    public BulkStateActivity bulkActivity() {
        return bulkActivity;
    }

    /** Command interface and queue contexts, taken between two units of engine work. */
    public EngineState engineState() {
        return engine.state();
    }

    public BulkStateHeader bulkStateHeader() {
        return bulkActivity.header();
    }

    /**
     * Back to the state after power-on: initialising, no command queue, no queues, HCA disabled, clock
     * from zero, engine and bulk activity running. The bulk state's contents and dirty bits are kept:
     * they model firmware memory, which a function reset does not clear (and a running pre-copy must
     * not lose track of).
     */
    public void reset() {
        if (engine != null) {
            engine.reset();
        }
        initSegment.reset();
        clock.restart();
        if (bulkActivity != null) {
            bulkActivity.resume();
        }
    }
}
