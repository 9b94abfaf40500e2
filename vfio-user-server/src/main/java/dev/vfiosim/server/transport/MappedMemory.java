package dev.vfiosim.server.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import jnr.ffi.Pointer;
import sun.misc.Unsafe;

/**
 * A MAP_SHARED mmap of {@code (fd, offset, length)}, e.g. a DMA region the client sent, with 64-bit sizes
 * and an explicit unmap. Touching unmapped memory would crash the JVM rather than throw, so every access
 * holds a read stamp and {@link #close()} unmaps under the write stamp: after close, access throws
 * {@link MappingFaultException}, and close waits (boundedly, if asked) for accesses in progress. Writes
 * to a read-only mapping throw ReadOnlyBufferException for the same reason. Multi-byte values are native
 * order (little-endian).
 *
 * <p>The peer owns the file: it can shrink it under the mapping at any time, and a load or store to a
 * page past the new end raises SIGBUS. HotSpot turns SIGBUS in an Unsafe access into an InternalError,
 * but delivers it asynchronously from compiled code (at some later point of the thread, possibly inside
 * a lock operation), and the same fault in JNI code kills the JVM: neither can be caught reliably. So a
 * file that can still shrink (a regular file not sealed with F_SEAL_SHRINK) is never touched through
 * the mapping: every access is a pread/pwrite on an fd of our own (see {@link #reopen}), which returns short
 * past the end of file, and is reported as a {@link MappingFaultException}. A sealed memfd (QEMU's
 * default, and every memfd vfio-sim hands out) or a non-regular file is accessed directly through the
 * mapping with Unsafe; an InternalError there is still caught, and every stamp is released in finally.
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
    /**
     * Every access goes through Unsafe: HotSpot turns a SIGBUS in an Unsafe access into an
     * InternalError (the file behind a MAP_SHARED mapping shrank), where the same fault in JNI code
     * (jnr's array copies) kills the JVM.
     */
    private static final Unsafe UNSAFE = unsafe();
    private static final long BYTE_ARRAY_BASE = Unsafe.ARRAY_BYTE_BASE_OFFSET;
    private static final int F_GET_SEALS = 1034;
    private static final int F_SEAL_SHRINK = 0x2;
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int F_DUPFD_CLOEXEC = 1030;

    private final Pointer mapping;
    private final long mappingLength;
    private final long length;
    private final boolean writable;
    private final long address;
    /**
     * -1 when the file cannot shrink under the mapping (sealed against shrinking, or not a regular
     * file): accesses go straight to the mapping. Otherwise our own fd of the file, and every access is
     * a pread/pwrite at {@link #fileOffset}: the peer may shrink the file at any time, and past its end
     * pread returns short where a load from the mapping would raise SIGBUS.
     */
    private final int fileFd;
    private final Path filePath;
    private final long fileOffset;
    private final StampedLock lock = new StampedLock();
    private final AtomicLong faults = new AtomicLong();
    /** Set once close begins: no new access starts. */
    private volatile boolean closing;
    /** Guarded by the write stamp. */
    private boolean unmapped;

    private MappedMemory(Pointer mapping, long mappingLength, long lead, long length, boolean writable, int fileFd,
            long fileOffset) {
        this.fileFd = fileFd;
        this.filePath = fileFd < 0 ? null : Path.of("/proc/self/fd/" + fileFd);
        this.fileOffset = fileOffset;
        this.mapping = mapping;
        this.mappingLength = mappingLength;
        this.address = mapping.address() + lead;
        this.length = length;
        this.writable = writable;
    }

    /** The JVM's Unsafe (jdk.unsupported), shared with {@link NativeBlock}. */
    static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
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
        int fileFd = -1;
        try {
            if (canShrink(fd)) {
                fileFd = reopen(fd, writable);
            }
        } catch (IOException | RuntimeException e) {
            Native.libc().munmap(mapping, mappingLength);
            throw e;
        }
        return new MappedMemory(mapping, mappingLength, lead, length, writable, fileFd, offset);
    }

    /** A regular file (memfd, tmpfs, disk) whose size the peer may still lower: not sealed with F_SEAL_SHRINK. */
    private static boolean canShrink(int fd) {
        if (!Files.isRegularFile(Path.of("/proc/self/fd/" + fd))) {
            return false;
        }
        int seals = Native.libc().fcntl(fd, F_GET_SEALS, 0);
        return seals < 0 || (seals & F_SEAL_SHRINK) == 0;   // EINVAL: a file that cannot be sealed at all
    }

    /**
     * Our own fd for checked access, close-on-exec: preferably a new open file description of the same
     * file, read-only unless the mapping is writable (the peer's description may carry O_APPEND, under
     * which Linux's pwrite appends); a dup when the file cannot be reopened (owned by another user, say).
     * pread/pwrite are positional, so neither moves the peer's file position.
     */
    private static int reopen(int fd, boolean writable) throws IOException {
        int own = Native.libc().open("/proc/self/fd/" + fd, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (own < 0) {
            own = Native.libc().fcntl(fd, F_DUPFD_CLOEXEC, 0);
        }
        if (own < 0) {
            throw new TransportException("cannot keep " + FileDescriptors.describe(fd) + " for checked access",
                    Native.lastErrno());
        }
        return own;
    }

    /**
     * Refuses a range past the end of a regular file or memfd, as the kernel's DMA mapping would (the
     * pages are not there). A peer that shrinks the file later is handled by checked access.
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
        copyOut(offset, dst, BYTE_ARRAY_BASE + dstOffset, count);
    }

    public void put(long offset, byte[] src, int srcOffset, int count) {
        java.util.Objects.checkFromIndexSize(srcOffset, count, src.length);
        copyIn(src, BYTE_ARRAY_BASE + srcOffset, offset, count);
    }

    /** Copies {@code dst.remaining()} bytes from {@code offset} into {@code dst} and advances its position. */
    public void get(long offset, ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int count = dst.remaining();
        int position = dst.position();
        if (dst.isDirect()) {
            copyOut(offset, null, NativeBlock.addressOf(dst) + position, count);
        } else {
            copyOut(offset, dst.array(), BYTE_ARRAY_BASE + dst.arrayOffset() + position, count);
        }
        dst.position(position + count);
    }

    /** Copies {@code src.remaining()} bytes from {@code src} to {@code offset} and advances its position. */
    public void put(long offset, ByteBuffer src) {
        int count = src.remaining();
        int position = src.position();
        if (src.isDirect()) {
            copyIn(null, NativeBlock.addressOf(src) + position, offset, count);
        } else if (src.hasArray()) {
            copyIn(src.array(), BYTE_ARRAY_BASE + src.arrayOffset() + position, offset, count);
        } else {   // read-only heap buffer: no array access
            byte[] copy = new byte[count];
            src.get(position, copy);
            copyIn(copy, BYTE_ARRAY_BASE, offset, count);
        }
        src.position(position + count);
    }

    public byte getByte(long offset) {
        if (fileFd >= 0) {
            byte[] b = new byte[1];
            get(offset, b, 0, 1);
            return b[0];
        }
        long stamp = acquire(offset, 1);
        try {
            return UNSAFE.getByte(address + offset);
        } catch (InternalError e) {
            throw gone(offset, 1, e);
        } finally {
            release(stamp);
        }
    }

    public void putByte(long offset, byte value) {
        if (fileFd >= 0) {
            put(offset, new byte[] {value}, 0, 1);
            return;
        }
        checkWritable();
        long stamp = acquire(offset, 1);
        try {
            UNSAFE.putByte(address + offset, value);
        } catch (InternalError e) {
            throw gone(offset, 1, e);
        } finally {
            release(stamp);
        }
    }

    public int getInt(long offset) {
        if (fileFd >= 0) {
            ByteBuffer b = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder());
            get(offset, b);
            return b.getInt(0);
        }
        long stamp = acquire(offset, 4);
        try {
            return UNSAFE.getInt(address + offset);
        } catch (InternalError e) {
            throw gone(offset, 4, e);
        } finally {
            release(stamp);
        }
    }

    public void putInt(long offset, int value) {
        if (fileFd >= 0) {
            put(offset, ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(0, value));
            return;
        }
        checkWritable();
        long stamp = acquire(offset, 4);
        try {
            UNSAFE.putInt(address + offset, value);
        } catch (InternalError e) {
            throw gone(offset, 4, e);
        } finally {
            release(stamp);
        }
    }

    public long getLong(long offset) {
        if (fileFd >= 0) {
            ByteBuffer b = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
            get(offset, b);
            return b.getLong(0);
        }
        long stamp = acquire(offset, 8);
        try {
            return UNSAFE.getLong(address + offset);
        } catch (InternalError e) {
            throw gone(offset, 8, e);
        } finally {
            release(stamp);
        }
    }

    public void putLong(long offset, long value) {
        if (fileFd >= 0) {
            put(offset, ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(0, value));
            return;
        }
        checkWritable();
        long stamp = acquire(offset, 8);
        try {
            UNSAFE.putLong(address + offset, value);
        } catch (InternalError e) {
            throw gone(offset, 8, e);
        } finally {
            release(stamp);
        }
    }

    private void copyOut(long offset, Object dstBase, long dstOffset, int count) {
        copy(false, offset, dstBase, dstOffset, count);
    }

    private void copyIn(Object srcBase, long srcOffset, long offset, int count) {
        copy(true, offset, srcBase, srcOffset, count);
    }

    /**
     * Copies {@code count} bytes between the mapping at {@code offset} and ({@code base},
     * {@code baseOffset}): a heap array, or null and a native address.
     */
    private void copy(boolean intoMapping, long offset, Object base, long baseOffset, int count) {
        if (intoMapping) {
            checkWritable();
        }
        long stamp = acquire(offset, count);
        try {
            if (fileFd < 0 && intoMapping) {
                UNSAFE.copyMemory(base, baseOffset, null, address + offset, count);
            } else if (fileFd < 0) {
                UNSAFE.copyMemory(null, address + offset, base, baseOffset, count);
            } else if (base == null) {
                fileIo(intoMapping, offset, baseOffset, count);
            } else {
                // pread/pwrite want native memory: stage a heap array's bytes in malloc'd scratch
                long scratch = UNSAFE.allocateMemory(Math.max(count, 1));
                try {
                    if (intoMapping) {
                        UNSAFE.copyMemory(base, baseOffset, null, scratch, count);
                    }
                    fileIo(intoMapping, offset, scratch, count);
                    if (!intoMapping) {
                        UNSAFE.copyMemory(null, scratch, base, baseOffset, count);
                    }
                } finally {
                    UNSAFE.freeMemory(scratch);
                }
            }
        } catch (InternalError e) {
            throw gone(offset, count, e);
        } finally {
            release(stamp);
        }
    }

    /** pread or pwrite of all {@code count} bytes between the file and native memory at {@code buffer}. */
    private void fileIo(boolean write, long offset, long buffer, int count) {
        if (write) {
            // pwrite past the end would grow the file back: memory the peer took away stays away
            long size = fileSize();
            if (size < fileOffset + offset + count) {
                throw shrunk(offset, count, size < 0 ? "its size cannot be read" : "the file has only " + size + " bytes");
            }
        }
        long done = 0;
        while (done < count) {
            Pointer at = Pointer.wrap(Native.runtime(), buffer + done);
            long position = fileOffset + offset + done;
            long n = write ? Native.libc().pwrite(fileFd, at, count - done, position)
                    : Native.libc().pread(fileFd, at, count - done, position);
            if (n <= 0) {
                int errno = Native.lastErrno();
                if (n < 0 && errno == Errno.EINTR) {
                    continue;
                }
                if (n < 0 && write && errno == Errno.EINVAL) {
                    // hugetlbfs has no write(): store through the mapping, the size just checked (a shrink
                    // racing this store is the one SIGBUS left, and it is caught where the JVM delivers it)
                    UNSAFE.copyMemory(null, buffer + done, null, address + offset + done, count - done);
                    return;
                }
                throw shrunk(offset, count, n < 0 ? Native.describe(errno)
                        : write ? "nothing written" : "the file ends before it");
            }
            done += n;
        }
    }

    /** The file's size now (stat through /proc: portable, and no libc stat layout to bind); -1 if unknown. */
    private long fileSize() {
        try {
            return Files.size(filePath);
        } catch (IOException e) {
            return -1;
        }
    }

    private MappingFaultException shrunk(long offset, long count, String why) {
        faults.incrementAndGet();
        return new MappingFaultException("access to [" + offset + ", +" + count + ") of a " + length
                + "-byte mapping failed: " + why + " (the peer shrank the file)");
    }

    /** Read stamp after checking {@code [offset, offset + count)} lies inside and the memory is mapped. */
    private long acquire(long offset, long count) {
        if (offset < 0 || count < 0 || offset > length - count) {
            throw new IndexOutOfBoundsException("range [" + offset + ", +" + count + ") outside mapping of "
                    + length + " bytes");
        }
        long stamp = lock.readLock();
        if (closing) {
            release(stamp);
            throw new MappingFaultException("mapping was closed");
        }
        return stamp;
    }

    /** Ends an access; the last access out of a mapping whose close gave up waiting unmaps it. */
    private void release(long stamp) {
        lock.unlockRead(stamp);
        if (closing) {
            unmapIfIdle();
        }
    }

    private MappingFaultException gone(long offset, long count, InternalError e) {
        faults.incrementAndGet();
        return new MappingFaultException("access to [" + offset + ", +" + count + ") of a " + length
                + "-byte mapping faulted: the memory behind it is gone (file shrunk?)", e);
    }

    private void checkWritable() {
        if (!writable) {
            throw new ReadOnlyBufferException();
        }
    }

    /** Accesses that faulted because the memory behind the mapping went away (SIGBUS). */
    public long faults() {
        return faults.get();
    }

    /** munmap, once; waits for accesses in progress. */
    @Override
    public void close() {
        closing = true;
        unmapUnder(lock.writeLock());
    }

    /**
     * munmap, once, waiting at most {@code timeoutNanos} for accesses in progress (they are single
     * copies, so only a stuck copy lasts long). New accesses are refused from the start. Returns false
     * when the wait ran out: the mapping is then unmapped by the last access in progress as it leaves,
     * never under an access, and the caller can go on (teardown must not wait forever).
     */
    public boolean close(long timeoutNanos) {
        closing = true;
        long stamp;
        try {
            stamp = lock.tryWriteLock(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stamp = 0;
        }
        // on a timeout, an access may have left between it and now
        return stamp == 0 ? unmapIfIdle() : unmapUnder(stamp);
    }

    /** Unmaps if no access is in progress; true when the mapping is gone. */
    private boolean unmapIfIdle() {
        long stamp = lock.tryWriteLock();
        return stamp != 0 && unmapUnder(stamp);
    }

    /** Unmaps under the write {@code stamp} and releases it. */
    private boolean unmapUnder(long stamp) {
        try {
            unmapOnce();
        } finally {
            lock.unlockWrite(stamp);
        }
        return true;
    }

    /** Under the write stamp. */
    private void unmapOnce() {
        if (!unmapped) {
            unmapped = true;
            FileDescriptors.close(fileFd);
            if (Native.libc().munmap(mapping, mappingLength) != 0) {
                throw new IllegalStateException("munmap failed: " + Native.describe(Native.lastErrno()));
            }
        }
    }

    @Override
    public String toString() {
        return "MappedMemory[" + length + " bytes" + (writable ? ", rw" : ", ro") + "]";
    }
}
