package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaFaultException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Guest memory for unit tests: one heap range at {@code base}; everything else faults. */
final class FakeGuestMemory implements Dma {
    final long base;
    final ByteBuffer bytes;
    volatile boolean unmapped;

    FakeGuestMemory(long base, int size) {
        this.base = base;
        this.bytes = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    int at(long iova) {
        return (int) (iova - base);
    }

    private void check(long iova, int length, boolean write) {
        if (unmapped || iova < base || iova + length > base + bytes.capacity()) {
            throw new DmaFaultException(iova, length, write, "outside the fake guest memory");
        }
    }

    @Override
    public synchronized void read(long iova, ByteBuffer dst) {
        check(iova, dst.remaining(), false);
        int n = dst.remaining();
        dst.put(bytes.slice(at(iova), n));
    }

    @Override
    public synchronized void write(long iova, ByteBuffer src) {
        check(iova, src.remaining(), true);
        int n = src.remaining();
        bytes.put(at(iova), src, src.position(), n);
        src.position(src.position() + n);
    }
}
