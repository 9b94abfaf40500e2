package dev.vfiosim.benchmarks;

import dev.vfiosim.simulator.dma.DirtyPageTracker;
import dev.vfiosim.simulator.dma.IovaRange;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dirty-page tracking of device DMA writes (DMA_LOGGING): marking one small write, marking a
 * 64 KiB write, and the report of a 1 GiB range at 4 KiB pages (a 32 KiB bitmap) that clears it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DirtyTrackingBenchmark {
    private static final long GIB = 1L << 30;
    private static final long PAGE = 4096;

    private DirtyPageTracker tracker;
    private final long[] bitmap = new long[(int) (GIB / PAGE / Long.SIZE)];
    private long cursor;

    @Setup
    public void setUp() {
        tracker = new DirtyPageTracker(PAGE, List.of(new IovaRange(0, GIB)));
    }

    @Benchmark
    public void markSmallWrite() {
        cursor = (cursor + 4 * PAGE + 64) & (GIB - 1);
        tracker.mark(cursor, 64);
    }

    @Benchmark
    public void mark64KiBWrite() {
        cursor = (cursor + 17 * PAGE) & (GIB - 1) & ~(PAGE - 1);
        tracker.mark(cursor, 16 * PAGE);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long reportAndClear1GiB() {
        for (int i = 0; i < 256; i++) {
            tracker.mark(i * 1031 * PAGE % GIB, 64);
        }
        tracker.reportAndClear(0, GIB, PAGE, bitmap);
        return bitmap[0];
    }
}
