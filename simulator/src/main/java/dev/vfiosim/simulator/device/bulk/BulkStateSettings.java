package dev.vfiosim.simulator.device.bulk;

/**
 * How big the device's internal bulk state is and how fast its background activity dirties it.
 *
 * @param bytes size, a multiple of {@link BulkState#PAGE_SIZE} (0 = none)
 * @param pagesPerSecond pages the activity writes per second of device running time (0 = no activity)
 * @param seed seeds the activity's choice of pages and offsets, so a run can be repeated
 */
public record BulkStateSettings(long bytes, long pagesPerSecond, long seed) {
    public static final long DEFAULT_BYTES = 1 << 20;
    public static final long DEFAULT_SEED = 0x5eed;
    /** 1 MiB, no activity: small and quiet, so tests that do not care stay fast and deterministic. */
    public static final BulkStateSettings DEFAULT = new BulkStateSettings(DEFAULT_BYTES, 0, DEFAULT_SEED);

    public BulkStateSettings {
        if (bytes < 0 || bytes % BulkState.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("bulk state size " + bytes + " is not a non-negative multiple of "
                    + BulkState.PAGE_SIZE);
        }
        if (pagesPerSecond < 0) {
            throw new IllegalArgumentException("dirtying rate " + pagesPerSecond + " pages/s is negative");
        }
    }
}
