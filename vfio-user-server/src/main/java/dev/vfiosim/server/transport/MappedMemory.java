package dev.vfiosim.server.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.locks.StampedLock;
import jnr.ffi.Pointer;

/**
 * A MAP_SHARED mmap of {@code (fd, offset, length)}, e.g. a DMA region the client sent, with 64-bit sizes
 * and an explicit unmap. Touching unmapped memory would crash the JVM rather than throw, so every access
 * holds a read stamp and {@link #close()} unmaps under the write stamp: after close, access throws
 * IllegalStateException, and close waits for accesses in progress. Writes to a read-only mapping throw
 * ReadOnlyBufferException for the same reason. Multi-byte values are native order (little-endian).
 *
 * <p>mmap wants a page-aligned file offset, so the mapping starts at the page below {@code offset}
 * and this object addresses from {@code offset} on:
 * <pre>
 * mapping:  [page-aligned offset ... offset ... offset + length)
 *            |&lt;-- lead --&gt;|&lt;------ length ------&gt;|
 * </pre>
 */
public final class MappedMemory implements AutoCloseable {
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_SHARED = 0x1;

    private final Pointer mapping;
    private final long mappingLength;
    private final long base;
    private final long length;
    private final boolean writable;
    private final StampedLock lock = new StampedLock();
    private boolean unmapped;

    private MappedMemory(Pointer mapping, long mappingLength, long lead, long length, boolean writable) {
        this.mapping = mapping;
        this.mappingLength = mappingLength;
        this.base = lead;
        this.length = length;
        this.writable = writable;
    }

    public static MappedMemory map(int fd, long offset, long length, boolean writable) throws IOException {
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new IllegalArgumentException("cannot map offset " + offset + " length " + length);
        }
        checkFileCovers(fd, offset, length);
        long page = Native.pageSize();
        long alignedOffset = offset & -page;
        long lead = offset - alignedOffset;
        long mappingLength = lead + length;
        Pointer mapping = Native.libc().mmap(null, mappingLength, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                MAP_SHARED, fd, alignedOffset);
        if (mapping == null || mapping.address() == -1L) {   // MAP_FAILED is (void *) -1
            throw new TransportException("mmap of " + FileDescriptors.describe(fd) + " offset " + offset + " length "
                    + length, Native.lastErrno());
        }
        return new MappedMemory(mapping, mappingLength, lead, length, writable);
    }

    /**
     * Refuses a range past the end of a regular file or memfd: touching such pages raises SIGBUS, which
     * kills the JVM. (A peer that shrinks the file later can still cause that; see the class notes.)
     */
    private static void checkFileCovers(int fd, long offset, long length) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(Path.of("/proc/self/fd/" + fd), BasicFileAttributes.class);
        } catch (IOException e) {
            return;   // not something /proc can stat (anon inode, socket): let mmap decide
        }
        if (attributes.isRegularFile() && attributes.size() < offset + length) {
            throw new TransportException("cannot map " + FileDescriptors.describe(fd) + " offset " + offset
                    + " length " + length + ": the file has only " + attributes.size() + " bytes");
        }
    }

    public long length() {
        return length;
    }

    public boolean writable() {
        return writable;
    }

    public void get(long offset, byte[] dst, int dstOffset, int count) {
        java.util.Objects.checkFromIndexSize(dstOffset, count, dst.length);
        long stamp = acquire(offset, count);
        try {
            mapping.get(base + offset, dst, dstOffset, count);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void put(long offset, byte[] src, int srcOffset, int count) {
        java.util.Objects.checkFromIndexSize(srcOffset, count, src.length);
        checkWritable();
        long stamp = acquire(offset, count);
        try {
            mapping.put(base + offset, src, srcOffset, count);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Copies {@code dst.remaining()} bytes from {@code offset} into {@code dst} and advances its position. */
    public void get(long offset, ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int count = dst.remaining();
        int position = dst.position();
        long stamp = acquire(offset, count);
        try {
            if (dst.isDirect()) {
                NativeBlock.copy(mapping.address() + base + offset, NativeBlock.addressOf(dst) + position, count);
            } else {
                mapping.get(base + offset, dst.array(), dst.arrayOffset() + position, count);
            }
        } finally {
            lock.unlockRead(stamp);
        }
        dst.position(position + count);
    }

    /** Copies {@code src.remaining()} bytes from {@code src} to {@code offset} and advances its position. */
    public void put(long offset, ByteBuffer src) {
        checkWritable();
        int count = src.remaining();
        int position = src.position();
        byte[] readOnlyCopy = null;
        if (!src.isDirect() && !src.hasArray()) {   // read-only heap buffer: no array access
            readOnlyCopy = new byte[count];
            src.get(position, readOnlyCopy);
        }
        long stamp = acquire(offset, count);
        try {
            if (readOnlyCopy != null) {
                mapping.put(base + offset, readOnlyCopy, 0, count);
            } else if (src.isDirect()) {
                NativeBlock.copy(NativeBlock.addressOf(src) + position, mapping.address() + base + offset, count);
            } else {
                mapping.put(base + offset, src.array(), src.arrayOffset() + position, count);
            }
        } finally {
            lock.unlockRead(stamp);
        }
        src.position(position + count);
    }

    public byte getByte(long offset) {
        long stamp = acquire(offset, 1);
        try {
            return mapping.getByte(base + offset);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void putByte(long offset, byte value) {
        checkWritable();
        long stamp = acquire(offset, 1);
        try {
            mapping.putByte(base + offset, value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public int getInt(long offset) {
        long stamp = acquire(offset, 4);
        try {
            return mapping.getInt(base + offset);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void putInt(long offset, int value) {
        checkWritable();
        long stamp = acquire(offset, 4);
        try {
            mapping.putInt(base + offset, value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public long getLong(long offset) {
        long stamp = acquire(offset, 8);
        try {
            return mapping.getLong(base + offset);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void putLong(long offset, long value) {
        checkWritable();
        long stamp = acquire(offset, 8);
        try {
            mapping.putLong(base + offset, value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Read stamp after checking {@code [offset, offset + count)} lies inside and the memory is mapped. */
    private long acquire(long offset, long count) {
        if (offset < 0 || count < 0 || offset > length - count) {
            throw new IndexOutOfBoundsException("range [" + offset + ", +" + count + ") outside mapping of "
                    + length + " bytes");
        }
        long stamp = lock.readLock();
        if (unmapped) {
            lock.unlockRead(stamp);
            throw new IllegalStateException("mapping was closed");
        }
        return stamp;
    }

    private void checkWritable() {
        if (!writable) {
            throw new ReadOnlyBufferException();
        }
    }

    /** munmap, once; waits for accesses in progress. */
    @Override
    public void close() {
        long stamp = lock.writeLock();
        try {
            if (!unmapped) {
                unmapped = true;
                if (Native.libc().munmap(mapping, mappingLength) != 0) {
                    throw new IllegalStateException("munmap failed: " + Native.describe(Native.lastErrno()));
                }
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    @Override
    public String toString() {
        return "MappedMemory[" + length + " bytes" + (writable ? ", rw" : ", ro") + "]";
    }
}
