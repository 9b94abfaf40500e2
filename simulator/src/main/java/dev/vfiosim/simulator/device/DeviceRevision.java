package dev.vfiosim.simulator.device;

/**
 * The revisions of the simulated function, as successive vfio-sim releases would ship them, so that a
 * source and a destination of different revisions can be served side by side
 * ({@code serve --device-revision=N}). A revision decides which version of each record the function
 * writes and the newest it reads; everything else behaves the same.
 *
 * <pre>
 * revision  changes
 *   1       the stream as first released: every record version 1 (tags 1-5, 16)
 *   2       adds the optional "source" record (tag 6): the source's revision, for the destination's log
 *   3       the clock record (tag 2) becomes version 2: it also carries the reset count
 * </pre>
 * An older destination skips what it does not know when it is optional (revision 1 skips tag 6) and
 * refuses a mandatory record newer than it reads (revisions 1 and 2 refuse clock version 2, ENOTSUP).
 */
public final class DeviceRevision {
    public static final int FIRST = 1;
    /** Adds the optional source record. */
    public static final int SOURCE_RECORD = 2;
    /** The clock record carries the reset count (version 2). */
    public static final int CLOCK_RESETS = 3;
    /** What a function plays unless told otherwise: the newest revision. */
    public static final int CURRENT = CLOCK_RESETS;

    private DeviceRevision() {
    }

    static void check(int revision) {
        if (revision < FIRST || revision > CURRENT) {
            throw new IllegalArgumentException("device revision " + revision + " is not within " + FIRST + ".." + CURRENT);
        }
    }

    /** Version of the clock record a function of this revision writes (and the newest it reads). */
    static int clockVersion(int revision) {
        return revision >= CLOCK_RESETS ? 2 : 1;
    }

    static boolean hasSourceRecord(int revision) {
        return revision >= SOURCE_RECORD;
    }
}
