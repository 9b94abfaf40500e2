package dev.vfiosim.simulator.migration;

import java.util.BitSet;

/**
 * Which bulk pages the running device changed since they were last taken. The device marks pages
 * on every write while tracking is on; a save session in PRE_COPY takes them to send deltas.
 */
public interface DirtyPageSource {
    void startTracking();

    void stopTracking();

    /** How many pages are dirty now (an estimate is fine: it only feeds the size reports). */
    long dirtyPageCount();

    /** The dirty pages, cleared atomically: a write after this call marks its page again. */
    BitSet takeDirtyPages();
}
