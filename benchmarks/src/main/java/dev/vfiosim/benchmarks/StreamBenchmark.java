package dev.vfiosim.benchmarks;

import dev.vfiosim.simulator.migration.BulkState;
import dev.vfiosim.simulator.migration.DeviceIdentity;
import dev.vfiosim.simulator.migration.DirtyPageSource;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.migration.MigrationImage;
import dev.vfiosim.simulator.migration.PageSink;
import dev.vfiosim.simulator.migration.PageSource;
import dev.vfiosim.simulator.migration.ResumeSession;
import dev.vfiosim.simulator.migration.SaveSession;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The migration stream without a socket: a stop-copy save of 64 MiB of bulk state in off-heap
 * memory read out in 1 MiB chunks into a direct buffer (the server's reply buffer), and the same
 * stream written into a resume session whose pages land in off-heap memory. Time per 1 MiB chunk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx512m")
public class StreamBenchmark {
    private static final int PAGE_SIZE = 4096;
    private static final int PAGES = 16384;
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS = 65;   // 64 MiB of pages, their indices and the framing
    private static final DeviceIdentity IDENTITY = new DeviceIdentity(0x15b3, 0x101e, 1);

    /** Pages in one direct buffer, as the device's memfd-backed state is. */
    static final class OffHeapPages implements PageSource, DirtyPageSource, PageSink {
        final ByteBuffer memory = ByteBuffer.allocateDirect(PAGES * PAGE_SIZE);

        @Override public int pageSize() { return PAGE_SIZE; }
        @Override public long pageCount() { return PAGES; }

        @Override
        public void readPage(long index, ByteBuffer dst) {
            dst.put(dst.position(), memory, (int) index * PAGE_SIZE, PAGE_SIZE);
            dst.position(dst.position() + PAGE_SIZE);
        }

        @Override public void startTracking() {}
        @Override public void stopTracking() {}
        @Override public long dirtyPageCount() { return 0; }
        @Override public BitSet takeDirtyPages() { return new BitSet(); }

        @Override
        public void stagePage(long index, ByteBuffer page) {
            memory.put((int) index * PAGE_SIZE, page, page.position(), PAGE_SIZE);
            page.position(page.position() + PAGE_SIZE);
        }

        @Override public void commit() {}
        @Override public void discard() {}
    }

    private final OffHeapPages source = new OffHeapPages();
    private final OffHeapPages destination = new OffHeapPages();
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
    private final ByteBuffer[] stream = new ByteBuffer[CHUNKS + 1];
    private int chunks;

    private static MigrationImage image(OffHeapPages pages) {
        return new MigrationImage(IDENTITY, MigrationFeatures.WITH_PRE_COPY, List.of(),
                Optional.of(new BulkState(5, pages, pages, pages)));
    }

    @Setup(Level.Trial)
    public void recordStream() {
        for (int i = 0; i < PAGES * PAGE_SIZE; i += 8) {
            source.memory.putLong(i, i * 0x9e3779b97f4a7c15L);
        }
        SaveSession save = SaveSession.stopCopy(image(source));
        chunks = 0;
        while (true) {
            ByteBuffer c = ByteBuffer.allocateDirect(CHUNK);
            if (save.read(c) == 0) {
                break;
            }
            stream[chunks++] = c.flip();
        }
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public long saveInMebibyteChunks() {
        SaveSession save = SaveSession.stopCopy(image(source));
        long total = 0;
        int n;
        do {
            chunk.clear();
            n = save.read(chunk);
            total += n;
        } while (n > 0);
        return total;
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public void resumeInMebibyteChunks() {
        ResumeSession resume = new ResumeSession(image(destination));
        for (int i = 0; i < chunks; i++) {
            resume.write(stream[i].duplicate());
        }
        resume.finish();
    }
}
