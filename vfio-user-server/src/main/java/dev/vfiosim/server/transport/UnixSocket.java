package dev.vfiosim.server.transport;

/** Socket syscalls shared by the listener and the client-side connect, on raw fds. */
final class UnixSocket {
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SHUT_RDWR = 2;

    static final int SOL_SOCKET = 1;
    static final int SO_TYPE = 3;
    static final int SO_RCVTIMEO = 20;
    static final int SO_ACCEPTCONN = 30;
    static final int SO_DOMAIN = 39;

    private UnixSocket() {
    }

    /** A new AF_UNIX stream socket, close-on-exec so children never inherit it. */
    static int open(int extraTypeFlags) throws TransportException {
        int fd = Native.libc().socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | extraTypeFlags, 0);
        if (fd < 0) {
            throw new TransportException("socket(AF_UNIX, SOCK_STREAM) failed", Native.lastErrno());
        }
        return fd;
    }

    /** connect(); returns 0 on success, else the errno (EINTR retried). */
    static int connect(int fd, UnixSocketPath address) {
        NativeBlock sockaddr = address.encode();
        try {
            while (true) {
                if (Native.libc().connect(fd, sockaddr.pointer, address.addressLength()) == 0) {
                    return 0;
                }
                int errno = Native.lastErrno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                // an interrupted connect finishes in the background; a retry then says EISCONN
                return errno == Errno.EISCONN ? 0 : errno;
            }
        } finally {
            sockaddr.free();
        }
    }

    static int intOption(int fd, int level, int option) throws TransportException {
        NativeBlock scratch = new NativeBlock(8);   // int value at 0, socklen_t length at 4
        try {
            scratch.bytes.putInt(4, 4);
            if (Native.libc().getsockopt(fd, level, option, scratch.pointer,
                    scratch.pointer.slice(4)) != 0) {
                throw new TransportException("getsockopt(fd " + fd + ", " + option + ") failed", Native.lastErrno());
            }
            return scratch.bytes.getInt(0);
        } finally {
            scratch.free();
        }
    }
}
