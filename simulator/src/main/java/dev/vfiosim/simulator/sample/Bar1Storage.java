package dev.vfiosim.simulator.sample;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.pci.SharedMemory;
import java.nio.ByteBuffer;

/**
 * BAR1: 0x3000 bytes of plain storage, backed by memory the client may also map (its sparse areas
 * are the first and the last page), so a client's mmap and REGION_READ/WRITE see the same bytes.
 *
 * <p>A read returns the <em>first</em> {@code count} bytes whatever the offset: that is what
 * {@code samples/server.c} does (an upstream bug that its client, which reads only at offset 0,
 * never notices); a write stores at the offset.
 */
public final class Bar1Storage {
    public static final int SIZE = 0x3000;

    private final SharedMemory memory;

    public Bar1Storage(SharedMemory memory) {
        if (memory.size() < SIZE) {
            throw new IllegalArgumentException("BAR1 needs " + SIZE + " bytes of backing, got " + memory.size());
        }
        this.memory = memory;
    }

    public SharedMemory memory() {
        return memory;
    }

    public void read(long offset, ByteBuffer dst) {
        check(offset, dst.remaining());
        dst.put(memory.buffer().limit(dst.remaining()));
    }

    public void write(long offset, ByteBuffer src) {
        check(offset, src.remaining());
        memory.buffer().position((int) offset).put(src);
    }

    private static void check(long offset, int count) {
        if (offset < 0 || offset + count > SIZE) {
            throw new DeviceException(Errno.EINVAL, "BAR1 access [0x" + Long.toHexString(offset) + ", +" + count
                    + ") is outside its 0x3000 bytes");
        }
    }

    /** Migration: copies BAR1 bytes from {@code at} into {@code dst} (as many as fit). */
    public void save(int at, ByteBuffer dst) {
        dst.put(memory.buffer().position(at).limit(at + dst.remaining()));
    }

    /** Migration: stores {@code src} at {@code at}; it is readable at once. */
    public void load(int at, ByteBuffer src) {
        memory.buffer().position(at).put(src);
    }
}
