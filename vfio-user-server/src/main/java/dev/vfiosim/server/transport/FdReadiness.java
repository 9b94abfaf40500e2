package dev.vfiosim.server.transport;

import java.io.IOException;
import java.time.Duration;

/**
 * Waiting for an fd to become readable (or a socket writable) with poll(2), without consuming
 * anything. Readable includes the peer having hung up, so a caller learns about both with one wait.
 *
 * <pre>
 * struct pollfd (8 bytes): 0 int fd, 4 short events, 6 short revents
 * </pre>
 */
final class FdReadiness {
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLHUP = 0x10;
    static final short POLLRDHUP = 0x2000;
    private static final ThreadLocal<NativeBlock> POLLFD = ThreadLocal.withInitial(() -> new NativeBlock(8));

    private FdReadiness() {
    }

    /** True once {@code fd} is readable, false if {@code timeout} passed first (ZERO: just look). */
    static boolean awaitReadable(int fd, Duration timeout) throws IOException {
        return awaitReadable(fd, timeout.toNanos());
    }

    /** The same with the timeout in nanoseconds; allocates nothing. */
    static boolean awaitReadable(int fd, long timeoutNanos) throws IOException {
        return await(fd, POLLIN, timeoutNanos);
    }

    /**
     * True once a socket has room to send (or has failed, so a send reports why), false if
     * {@code timeoutNanos} passed first; allocates nothing.
     */
    static boolean awaitWritable(int fd, long timeoutNanos) throws IOException {
        return await(fd, POLLOUT, timeoutNanos);
    }

    private static boolean await(int fd, short events, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        NativeBlock pollfd = POLLFD.get();
        while (true) {
            long remainingNanos = deadline - System.nanoTime();
            int millis = remainingNanos <= 0 ? 0
                    : (int) Math.min(Integer.MAX_VALUE, (remainingNanos + 999_999) / 1_000_000);
            pollfd.bytes.putInt(0, fd);
            pollfd.bytes.putShort(4, events);
            pollfd.bytes.putShort(6, (short) 0);
            int ready = Native.libc().poll(pollfd.pointer, 1, millis);
            if (ready > 0) {
                return true;
            }
            if (ready < 0) {
                int errno = Native.lastErrno();
                if (errno != Errno.EINTR) {
                    throw new TransportException("poll on fd " + fd + " failed", errno);
                }
            } else if (millis == 0 || System.nanoTime() - deadline >= 0) {
                return false;
            }
        }
    }

    /** True if a write to {@code fd} would not block now (an eventfd: its counter has room for 1), without waiting. */
    static boolean writableNow(int fd) throws IOException {
        NativeBlock pollfd = POLLFD.get();
        while (true) {
            pollfd.bytes.putInt(0, fd);
            pollfd.bytes.putShort(4, POLLOUT);
            pollfd.bytes.putShort(6, (short) 0);
            int ready = Native.libc().poll(pollfd.pointer, 1, 0);
            if (ready >= 0) {
                return ready > 0 && (pollfd.bytes.getShort(6) & POLLOUT) != 0;
            }
            int errno = Native.lastErrno();
            if (errno != Errno.EINTR) {
                throw new TransportException("poll on fd " + fd + " failed", errno);
            }
        }
    }

    /** True if the peer of socket {@code fd} has closed or shut down its side (POLLRDHUP or POLLHUP), without waiting. */
    static boolean hungUp(int fd) throws IOException {
        NativeBlock pollfd = POLLFD.get();
        while (true) {
            pollfd.bytes.putInt(0, fd);
            pollfd.bytes.putShort(4, POLLRDHUP);
            pollfd.bytes.putShort(6, (short) 0);
            int ready = Native.libc().poll(pollfd.pointer, 1, 0);
            if (ready >= 0) {
                return ready > 0 && (pollfd.bytes.getShort(6) & (POLLRDHUP | POLLHUP)) != 0;
            }
            int errno = Native.lastErrno();
            if (errno != Errno.EINTR) {
                throw new TransportException("poll on fd " + fd + " failed", errno);
            }
        }
    }
}
