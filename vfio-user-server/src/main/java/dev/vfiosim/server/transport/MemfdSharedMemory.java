package dev.vfiosim.server.transport;

import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Device memory the VMM can mmap: a memfd whose fd goes out with DEVICE_GET_REGION_INFO, mapped
 * MAP_SHARED read/write here, so device and VMM see the same bytes. The memfd is sealed with
 * F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL before its fd leaves the process: a client's ftruncate
 * fails with EPERM, so the device's own accesses can never meet a SIGBUS.
 *
 * <p>The mapping is made with FileChannel.map on /proc/self/fd/N (same inode, MAP_SHARED) rather than a
 * raw mmap, because {@link #buffer()} hands out ByteBuffer views: the JDK keeps the mapping alive while
 * any view is reachable, so a view used after {@link #close()} reads stale-but-valid memory instead of
 * crashing the JVM. Sizes are int, so the 2 GiB FileChannel limit does not bite.
 */
public final class MemfdSharedMemory implements SharedMemory {
    private static final int MFD_CLOEXEC = 0x1;
    private static final int MFD_ALLOW_SEALING = 0x2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_SEAL = 0x1;
    private static final int F_SEAL_SHRINK = 0x2;
    private static final int F_SEAL_GROW = 0x4;
    /** The size is fixed for good: a peer cannot truncate device memory under the device (SIGBUS). */
    static final int SIZE_SEALS = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

    private final int fd;
    private final int size;
    private final MappedByteBuffer mapping;
    private volatile boolean closed;

    private MemfdSharedMemory(int fd, int size, MappedByteBuffer mapping) {
        this.fd = fd;
        this.size = size;
        this.mapping = mapping;
    }

    /**
     * A zero-filled memfd of {@code size} bytes, sealed against shrinking and growing (and against
     * further sealing) before anyone else can see it; {@code name} shows up in /proc/PID/maps.
     */
    public static MemfdSharedMemory create(String name, int size) throws IOException {
        if (size <= 0) {
            throw new IllegalArgumentException("size " + size);
        }
        int fd = Native.libc().memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw new TransportException("memfd_create(" + name + ")", Native.lastErrno());
        }
        try {
            if (Native.libc().ftruncate(fd, size) != 0) {
                throw new TransportException("ftruncate(memfd " + name + ", " + size + ")", Native.lastErrno());
            }
            MappedByteBuffer mapping;
            try (FileChannel channel = FileChannel.open(Path.of("/proc/self/fd/" + fd),
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);   // outlives the channel
            }
            if (Native.libc().fcntl(fd, F_ADD_SEALS, SIZE_SEALS) != 0) {
                throw new TransportException("sealing memfd " + name + " against resizing", Native.lastErrno());
            }
            return new MemfdSharedMemory(fd, size, mapping);
        } catch (IOException | RuntimeException e) {
            FileDescriptors.close(fd);
            throw e;
        }
    }

    /** What the server gives the device so that its mappable regions live in memfds. */
    public static SharedMemoryAllocator allocator() {
        return (name, size) -> {
            try {
                return create(name, size);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot allocate shared memory " + name + " of " + size + " bytes", e);
            }
        };
    }

    /** The memfd; stays owned by this object (the kernel duplicates it when it is sent). */
    public int fd() {
        if (closed) {
            throw new IllegalStateException("shared memory fd " + fd + " is closed");
        }
        return fd;
    }

    @Override
    public ByteBuffer buffer() {
        if (closed) {
            throw new IllegalStateException("shared memory fd " + fd + " is closed");
        }
        return mapping.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long size() {
        return size;
    }

    /** Closes the memfd; the mapping goes away once no view of it is reachable. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            FileDescriptors.close(fd);
        }
    }

    @Override
    public String toString() {
        return "MemfdSharedMemory[fd " + fd + ", " + size + " bytes" + (closed ? ", closed" : "") + "]";
    }
}
