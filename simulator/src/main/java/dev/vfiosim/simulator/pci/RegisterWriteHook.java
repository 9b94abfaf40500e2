package dev.vfiosim.simulator.pci;

/**
 * Tells the device that the client wrote a config register it cares about. Called after the write
 * has been applied and outside the config space's lock, so the hook may read config space or take
 * the device's own locks.
 */
@FunctionalInterface
public interface RegisterWriteHook {
    /**
     * @param before the register's value before the write
     * @param requested what the client asked for: its bytes over {@code before}, before write masks
     *     apply, so that write-only command bits (such as Initiate FLR) are visible
     * @param after the value the register now holds
     */
    void written(int before, int requested, int after);
}
