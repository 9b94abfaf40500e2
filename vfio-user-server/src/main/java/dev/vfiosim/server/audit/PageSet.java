package dev.vfiosim.server.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Guest page numbers as disjoint runs, so that a device writing a whole ring or all of RAM costs a
 * few entries, not one per page. Not thread-safe: the audit guards it.
 */
final class PageSet {
    /** first page of a run -> last page of it (inclusive); runs neither overlap nor touch. */
    private final TreeMap<Long, Long> runs = new TreeMap<>();
    private long size;

    /** Adds pages {@code first..last}. */
    void add(long first, long last) {
        long start = first;
        long end = last;
        Map.Entry<Long, Long> below = runs.floorEntry(start);
        if (below != null && below.getValue() >= start - 1) {
            start = below.getKey();
            end = Math.max(end, below.getValue());
            remove(below.getKey());
        }
        for (Map.Entry<Long, Long> next = runs.ceilingEntry(start); next != null && next.getKey() <= end + 1;
                next = runs.ceilingEntry(start)) {
            end = Math.max(end, next.getValue());
            remove(next.getKey());
        }
        runs.put(start, end);
        size += end - start + 1;
    }

    /** Removes pages {@code first..last}, keeping what lies either side. */
    void remove(long first, long last) {
        Map.Entry<Long, Long> below = runs.floorEntry(first);
        if (below != null && below.getValue() >= first) {
            long start = below.getKey();
            long end = below.getValue();
            remove(start);
            if (start < first) {
                put(start, first - 1);
            }
            if (end > last) {
                put(last + 1, end);
            }
        }
        for (Map.Entry<Long, Long> next = runs.ceilingEntry(first); next != null && next.getKey() <= last;
                next = runs.ceilingEntry(first)) {
            long end = next.getValue();
            remove(next.getKey());
            if (end > last) {
                put(last + 1, end);
            }
        }
    }

    private void remove(long start) {
        Long end = runs.remove(start);
        size -= end - start + 1;
    }

    private void put(long start, long end) {
        runs.put(start, end);
        size += end - start + 1;
    }

    long size() {
        return size;
    }

    void clear() {
        runs.clear();
        size = 0;
    }

    void copyTo(PageSet other) {
        runs.forEach(other::add);
    }

    /** The first {@code max} runs as guest address ranges "0xSTART-0xEND" (end exclusive). */
    List<String> ranges(int max, int pageShift) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Long, Long> r : runs.entrySet()) {
            if (out.size() == max) {
                break;
            }
            out.add("0x" + Long.toHexString(r.getKey() << pageShift) + "-0x" + Long.toHexString((r.getValue() + 1) << pageShift));
        }
        return out;
    }
}
