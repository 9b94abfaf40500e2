package dev.vfiosim.simulator.migration;

/**
 * The device's paged bulk state and its record tag: the source reads pages and dirty bits, the
 * destination stages pages. One device implements all three roles.
 */
public record BulkState(int tag, PageSource pages, DirtyPageSource dirty, PageSink sink) {
    public BulkState {
        if (pages.pageCount() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most " + Integer.MAX_VALUE + " pages");
        }
    }

    int pageCount() {
        return (int) pages.pageCount();
    }
}
