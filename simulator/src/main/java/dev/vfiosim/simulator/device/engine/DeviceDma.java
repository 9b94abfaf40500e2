package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaFaultException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Supplier;

/**
 * The engine's view of guest memory: the device's current {@link Dma} port plus reusable
 * little-endian scratch buffers, so the datapath allocates nothing per packet. Engine thread only.
 * Every method throws {@link DmaFaultException} for an access the IOMMU refuses.
 */
final class DeviceDma {
    private final Supplier<Dma> port;
    private final ByteBuffer small = ByteBuffer.allocateDirect(CommandEntry.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer word = ByteBuffer.allocateDirect(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer oneByte = ByteBuffer.allocateDirect(1);

    DeviceDma(Supplier<Dma> port) {
        this.port = port;
    }

    /** Reads {@code length} (at most 64) bytes; the returned scratch buffer is valid until the next call. */
    ByteBuffer read(long iova, int length) {
        small.clear().limit(length);
        read(iova, small);
        return small.clear().limit(length);
    }

    int readInt(long iova) {
        word.clear();
        read(iova, word);
        return word.getInt(0);
    }

    /** Reads {@code dst.remaining()} bytes into {@code dst}. */
    void read(long iova, ByteBuffer dst) {
        int n = dst.remaining();
        try {
            port.get().read(iova, dst);
        } catch (InternalError e) {
            throw vanished(iova, n, false, e);
        }
    }

    void write(long iova, ByteBuffer src) {
        int n = src.remaining();
        try {
            port.get().write(iova, src);
        } catch (InternalError e) {
            throw vanished(iova, n, true, e);
        }
    }

    void writeByte(long iova, byte value) {
        oneByte.clear().put(0, value);
        write(iova, oneByte);
    }

    /**
     * The JVM reports a fault on mapped memory that went away (a guest memfd shrunk under the
     * mapping: SIGBUS) as an InternalError; to the device that is a DMA fault like any other.
     */
    private static DmaFaultException vanished(long iova, int length, boolean write, InternalError e) {
        return new DmaFaultException(iova, length, write, "guest memory vanished under the mapping: " + e.getMessage());
    }

    /** A scratch buffer for building an entry before {@link #write}. */
    ByteBuffer scratch() {
        return small.clear();
    }
}
