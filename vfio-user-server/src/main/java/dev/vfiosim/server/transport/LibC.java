package dev.vfiosim.server.transport;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the transport needs, bound with jnr-ffi. Obtain it through {@link Native#libc()};
 * loading costs a few hundred milliseconds, so it happens once per JVM. Every call records errno,
 * which {@link Native#lastErrno()} reads right after the call on the same thread.
 *
 * <p>Widths follow the x86_64 Linux ABI: {@code size_t}/{@code ssize_t}/{@code off_t}/{@code nfds_t}
 * are 64-bit, so they are declared with jnr's type annotations rather than as {@code int}, whose upper
 * register half the callee would read as garbage.
 */
public interface LibC {
    @ssize_t long recvmsg(int sockfd, Pointer msghdr, int flags);

    @ssize_t long sendmsg(int sockfd, Pointer msghdr, int flags);

    @ssize_t long read(int fd, Pointer buf, @size_t long count);

    @ssize_t long write(int fd, Pointer buf, @size_t long count);

    /** Copies from the file without touching a mapping: past the end of file it returns short, never SIGBUS. */
    @ssize_t long pread(int fd, Pointer buf, @size_t long count, @off_t long offset);

    @ssize_t long pwrite(int fd, Pointer buf, @size_t long count, @off_t long offset);

    int open(String path, int flags);

    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    int munmap(Pointer addr, @size_t long length);

    int close(int fd);

    int eventfd(int initval, int flags);

    int memfd_create(String name, int flags);

    int ftruncate(int fd, @off_t long length);

    /** {@code fds} is a {@code struct pollfd[nfds]}; {@code nfds_t} is an unsigned long. */
    int poll(Pointer fds, @size_t long nfds, int timeoutMillis);

    int socket(int domain, int type, int protocol);

    int socketpair(int domain, int type, int protocol, @Out int[] sv);

    int bind(int sockfd, Pointer addr, int addrlen);

    int listen(int sockfd, int backlog);

    int accept4(int sockfd, Pointer addr, Pointer addrlen, int flags);

    int connect(int sockfd, Pointer addr, int addrlen);

    int shutdown(int sockfd, int how);

    int setsockopt(int sockfd, int level, int optname, Pointer optval, int optlen);

    /** {@code optlen} points at a {@code socklen_t} (u32) holding the capacity on entry. */
    int getsockopt(int sockfd, int level, int optname, Pointer optval, Pointer optlen);

    int fcntl(int fd, int cmd, int arg);

    /** On a socket not yet bound, sets the mode its socket file will be created with (before umask). */
    int fchmod(int fd, int mode);

    String strerror(int errnum);

    int getpid();

    long sysconf(int name);
}
