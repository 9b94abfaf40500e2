package dev.vfiosim.server.transport;

import com.kenai.jffi.MemoryIO;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;
import sun.misc.Unsafe;

/**
 * A zeroed block of malloc'd memory with an explicit {@link #free()}: native structs (msghdr, pollfd,
 * ...) are written through the native-order {@link #bytes} view and handed to libc as {@link #pointer}.
 * Memory from {@code Memory.allocateDirect} is only freed by the garbage collector, which would make
 * "close frees the scratch" untrue. The owner guarantees nothing touches the block after free().
 */
final class NativeBlock {
    private static final MemoryIO IO = MemoryIO.getInstance();
    private static final Unsafe UNSAFE = MappedMemory.unsafe();
    /**
     * Where {@code java.nio.Buffer} keeps a direct buffer's address, or -1 if this JVM has no such
     * field. Reading it is a plain load; jffi's lookup is a JNI call (an instance check and
     * GetDirectBufferAddress), paid several times per message on the register hot path.
     */
    private static final long BUFFER_ADDRESS = bufferAddressField();

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
        if (!direct.isDirect()) {
            // a heap buffer's address field is an offset into its array, not memory libc may touch
            throw new IllegalArgumentException("not a direct buffer");
        }
        return BUFFER_ADDRESS >= 0 ? UNSAFE.getLong(direct, BUFFER_ADDRESS) : IO.getDirectBufferAddress(direct);
    }

    private static long bufferAddressField() {
        try {
            long offset = UNSAFE.objectFieldOffset(Buffer.class.getDeclaredField("address"));
            // trust the field only if it agrees with the JNI answer for a buffer of our own
            ByteBuffer probe = ByteBuffer.allocateDirect(16).slice(8, 8);
            return UNSAFE.getLong(probe, offset) == IO.getDirectBufferAddress(probe) ? offset : -1;
        } catch (NoSuchFieldException | RuntimeException e) {
            return -1;
        }
    }

    static void copy(long from, long to, long length) {
        IO.copyMemory(from, to, length);
    }

    /*
     * Field access by plain stores and loads on the address, for the structs rewritten on every
     * message (msghdr, iovecs): the ByteBuffer view's methods were not always inlined into the
     * socket's receive loop. The offset is checked against the block; the owner keeps it unfreed.
     */
    void putLong(int offset, long value) {
        UNSAFE.putLong(address + within(offset, 8), value);
    }

    long getLong(int offset) {
        return UNSAFE.getLong(address + within(offset, 8));
    }

    int getInt(int offset) {
        return UNSAFE.getInt(address + within(offset, 4));
    }

    private long within(int offset, int width) {
        if (offset < 0 || offset > size - width) {
            throw new IndexOutOfBoundsException("offset " + offset + " width " + width + " in a block of " + size);
        }
        return offset;
    }

    void free() {
        if (!freed) {
            freed = true;
            IO.freeMemory(address);
        }
    }
}
