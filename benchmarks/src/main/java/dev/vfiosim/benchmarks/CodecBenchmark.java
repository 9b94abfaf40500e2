package dev.vfiosim.benchmarks;

import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.protocol.RegionAccess;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * The per-message codec work of a 4-byte REGION_READ on the server's request path: decode the
 * header and the region access, encode the reply's header and access, all in the session's direct
 * little-endian buffers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    private final ByteBuffer header = direct(MessageHeader.SIZE);
    private final ByteBuffer payload = direct(RegionAccess.SIZE);
    private final ByteBuffer replyHeader = direct(MessageHeader.SIZE);
    private final ByteBuffer replyBody = direct(RegionAccess.SIZE + 8);

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Setup
    public void setUp() {
        MessageHeader.write(header, 7, 9, MessageHeader.SIZE + RegionAccess.SIZE, MessageHeader.TYPE_COMMAND, 0);
        RegionAccess.write(payload, 0, 0, 4);
        payload.flip();
    }

    @Benchmark
    public long regionReadRequestAndReply() {
        int msgId = MessageHeader.msgId(header);
        int command = MessageHeader.command(header);
        long size = MessageHeader.messageSize(header);
        long offset = RegionAccess.offset(payload);
        int region = RegionAccess.region(payload);
        long count = RegionAccess.count(payload);
        replyBody.clear();
        RegionAccess.write(replyBody, offset, region, (int) count);
        replyBody.putInt(0x15b3);
        replyBody.flip();
        MessageHeader.write(replyHeader, msgId, command, MessageHeader.SIZE + replyBody.remaining(),
                MessageHeader.TYPE_REPLY, 0);
        return size + replyHeader.getInt(8);
    }
}
