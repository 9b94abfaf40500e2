package dev.vfiosim.simulator.migration;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A small test component: a few counters. Version 1 wrote only the counters; version 2 appended a
 * generation number, so a v2 reader still loads v1 payloads (generation 0).
 *
 * <pre>
 * | off | size  | field (v2)            |
 * |   0 |     4 | counter count n       |
 * |   4 | 8 × n | counters              |
 * | 4+8n|     4 | generation (v2 only)  |
 * </pre>
 */
final class CounterRecord implements StateRecord {
    private final int tag;
    private final boolean optional;
    long[] live;
    int generation;
    private long[] stagedCounters;
    private int stagedGeneration;
    int commits;
    int discards;

    CounterRecord(int tag, boolean optional, long... values) {
        this.tag = tag;
        this.optional = optional;
        this.live = values.clone();
    }

    @Override public int tag() { return tag; }
    @Override public int version() { return 2; }
    @Override public boolean optional() { return optional; }

    @Override
    public void write(PayloadWriter out) {
        out.putU32(live.length);
        for (long v : live) {
            out.putU64(v);
        }
        out.putU32(generation);
    }

    @Override
    public void stage(int version, ByteBuffer payload) {
        long[] values = new long[payload.getInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = payload.getLong();
        }
        stagedGeneration = version >= 2 ? payload.getInt() : 0;
        stagedCounters = values;
    }

    @Override
    public void commit() {
        commits++;
        if (stagedCounters != null) {
            live = stagedCounters;
            generation = stagedGeneration;
        }
        stagedCounters = null;
    }

    @Override
    public void discard() {
        discards++;
        stagedCounters = null;
    }

    @Override
    public String toString() {
        return "counters " + tag + " " + Arrays.toString(live) + " gen " + generation;
    }
}
