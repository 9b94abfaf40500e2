package dev.vfiosim.server.transport;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/**
 * A zeroed block of malloc'd memory with an explicit {@link #free()}: native structs (msghdr, pollfd,
 * ...) are written through the native-order {@link #bytes} view and handed to libc as {@link #pointer}.
 * Memory from {@code Memory.allocateDirect} is only freed by the garbage collector, which would make
 * "close frees the scratch" untrue. The owner guarantees nothing touches the block after free().
 */
final class NativeBlock {
    private static final MemoryIO IO = MemoryIO.getInstance();

    final long address;
    final int size;
    final ByteBuffer bytes;
    final Pointer pointer;
    private boolean freed;

    NativeBlock(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size " + size);
        }
        this.address = IO.allocateMemory(size, true);
        if (address == 0) {
            throw new OutOfMemoryError("malloc(" + size + ") failed");
        }
        this.size = size;
        this.bytes = IO.newDirectByteBuffer(address, size).order(ByteOrder.nativeOrder());
        this.pointer = Pointer.wrap(Native.runtime(), address, size);
    }

    /** Native address of a direct buffer's first element (not its position); no allocation. */
    static long addressOf(ByteBuffer direct) {
        return IO.getDirectBufferAddress(direct);
    }

    static void copy(long from, long to, long length) {
        IO.copyMemory(from, to, length);
    }

    void free() {
        if (!freed) {
            freed = true;
            IO.freeMemory(address);
        }
    }
}
