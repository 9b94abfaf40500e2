package dev.vfiosim.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The migration stream's record checksum (CRC32C) over a page and over a 1 MiB chunk, computed in
 * place on direct memory as the stream writer and reader do. Divide the size by the time for the
 * checksum's bytes per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChecksumBenchmark {
    @Param({"4096", "1048576"})
    public int size;

    private ByteBuffer data;
    private final CRC32C crc = new CRC32C();

    @Setup
    public void setUp() {
        data = ByteBuffer.allocateDirect(size);
        byte[] random = new byte[size];
        ThreadLocalRandom.current().nextBytes(random);
        data.put(random).flip();
    }

    @Benchmark
    public long crc32cDirect() {
        crc.reset();
        crc.update(data.duplicate());
        return crc.getValue();
    }
}
