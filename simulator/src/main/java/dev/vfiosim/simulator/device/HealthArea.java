package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.pci.DwordRegisterBlock;

/**
 * The health page at BAR0 0x1000-0x1FFF, in its own page so a driver can poll it cheaply.
 * Device-owned state, derived from the device's {@link RunningClock}.
 *
 * <pre>
 * off    register          access
 * 0x000  internal_timer_h  RO: bits 63:32 of nanoseconds since reset (free running)
 * 0x004  internal_timer_l  RO: bits 31:0 of the same
 * 0x010  health_counter    RO: milliseconds of running time since reset (stands still while
 *                          the device is paused), wraps at 2^32
 * 0x014  health_syndrome   RO: 0 = healthy
 * others                   RO 0
 * </pre>
 */
public final class HealthArea implements DwordRegisterBlock {
    public static final int INTERNAL_TIMER_HIGH = 0x000;
    public static final int INTERNAL_TIMER_LOW = 0x004;
    public static final int HEALTH_COUNTER = 0x010;
    public static final int HEALTH_SYNDROME = 0x014;
    public static final long NANOS_PER_TICK = 1_000_000;
    public static final int HEALTHY = 0;

    private final RunningClock clock;

    public HealthArea(RunningClock clock) {
        this.clock = clock;
    }

    @Override
    public int read(int offset) {
        return switch (offset) {
            case INTERNAL_TIMER_HIGH -> (int) (clock.sinceRestartNanos() >>> Integer.SIZE);
            case INTERNAL_TIMER_LOW -> (int) clock.sinceRestartNanos();
            case HEALTH_COUNTER -> healthCounter();
            case HEALTH_SYNDROME -> HEALTHY;
            default -> 0;
        };
    }

    @Override
    public void write(int offset, int value) {
        // every register of the health page is read-only
    }

    public int healthCounter() {
        return (int) (clock.runningNanos() / NANOS_PER_TICK);
    }
}
