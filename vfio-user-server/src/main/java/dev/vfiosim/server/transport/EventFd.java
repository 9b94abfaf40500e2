package dev.vfiosim.server.transport;

import java.io.IOException;
import java.time.Duration;

/**
 * A Linux eventfd: a 64-bit counter that write() adds to and read() drains. The server signals the
 * client's interrupt eventfds through {@link #signal(int, long)}; its own are made with {@link #create()}.
 *
 * <p>The value travels in host byte order (the kernel reads a native u64), which is little-endian on
 * the x86_64 hosts this runs on. A FileOutputStream on /proc/self/fd/N cannot be used: an eventfd
 * cannot be re-opened (ENXIO).
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int F_GETFL = 3;
    private static final int O_NONBLOCK = 0x800;

    /**
     * Per-thread scratch so signalling and waiting allocate nothing; lives as long as its thread.
     * VALUE: the u64 counter read or written.
     */
    private static final ThreadLocal<NativeBlock> VALUE = ThreadLocal.withInitial(() -> new NativeBlock(8));

    private final int fd;
    private volatile boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
    }

    /** A non-blocking, close-on-exec eventfd with counter 0. */
    public static EventFd create() throws IOException {
        int fd = Native.libc().eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) {
            throw new TransportException("eventfd failed", Native.lastErrno());
        }
        return new EventFd(fd);
    }

    public int fd() {
        return fd;
    }

    /** Adds {@code value} to the counter of eventfd {@code fd} (e.g. one received from the client). */
    public static void signal(int fd, long value) throws IOException {
        NativeBlock scratch = VALUE.get();
        scratch.bytes.putLong(0, value);
        while (true) {
            long n = Native.libc().write(fd, scratch.pointer, 8);
            if (n == 8) {
                return;
            }
            int errno = Native.lastErrno();
            if (n < 0 && errno == Errno.EINTR) {
                continue;
            }
            // EAGAIN: the counter would overflow (non-blocking fd); EINVAL: value is 2^64-1
            throw new TransportException("signalling eventfd " + fd + " with " + value + " failed", n < 0 ? errno : 0);
        }
    }

    /**
     * Adds 1 to the counter of eventfd {@code fd} only if that cannot block: for an eventfd the
     * client owns, whose file status flags are the client's (a blocking client reads it blocking),
     * so it is never switched to non-blocking. A counter left at its maximum refuses the signal
     * (TransportException, EAGAIN) instead of holding the caller.
     *
     * <p>One system call besides the write decides which guard applies: {@code fcntl(F_GETFL)}, which
     * costs about half a {@code poll(2)}. A non-blocking file description (QEMU's eventfds, most
     * clients') is written at once, the kernel itself refusing a full counter with EAGAIN; only a
     * blocking one is polled for room first. The flags are read for every signal, not remembered,
     * because the client shares the file description and may change them at any time. A client that
     * fills its counter or clears O_NONBLOCK between the check and the write can still make one
     * write wait, as with the poll alone: the check narrows the window to the next system call.
     */
    public static void signalIfRoom(int fd) throws IOException {
        int flags = Native.libc().fcntl(fd, F_GETFL, 0);
        if (flags < 0) {
            throw new TransportException("eventfd " + fd + " cannot be inspected (fcntl F_GETFL)", Native.lastErrno());
        }
        if ((flags & O_NONBLOCK) == 0 && !FdReadiness.writableNow(fd)) {
            throw new TransportException("eventfd " + fd + " has no room: its counter is at the maximum", Errno.EAGAIN);
        }
        signal(fd, 1);
    }

    public void signal(long value) throws IOException {
        ensureOpen();
        signal(fd, value);
    }

    /**
     * Waits up to {@code timeout} for the counter to become non-zero, then drains it.
     *
     * @return the counter value, or 0 if the timeout passed first (ZERO: just look)
     */
    public long await(Duration timeout) throws IOException {
        ensureOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (FdReadiness.awaitReadable(fd, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
            long value = readNow();
            if (value != 0) {
                return value;
            }
            // another reader drained it first: keep waiting for what is left of the timeout
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        return 0;
    }

    /** Drains the counter without blocking; 0 if it was 0. */
    public long readNow() throws IOException {
        ensureOpen();
        NativeBlock scratch = VALUE.get();
        while (true) {
            long n = Native.libc().read(fd, scratch.pointer, 8);
            if (n == 8) {
                return scratch.bytes.getLong(0);
            }
            int errno = Native.lastErrno();
            if (n < 0 && errno == Errno.EINTR) {
                continue;
            }
            if (n < 0 && errno == Errno.EAGAIN) {
                return 0;
            }
            throw new TransportException("reading eventfd " + fd + " failed", n < 0 ? errno : 0);
        }
    }

    private void ensureOpen() throws TransportException {
        if (closed) {
            throw new TransportException("eventfd " + fd + " is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            FileDescriptors.close(fd);
        }
    }

    @Override
    public String toString() {
        return "EventFd[" + fd + "]";
    }
}
