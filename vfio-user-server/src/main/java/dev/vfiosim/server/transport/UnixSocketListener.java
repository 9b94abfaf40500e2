package dev.vfiosim.server.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket the VMM connects to: bound to a path, or an already-listening fd handed over by
 * whoever started us ({@code --fd}).
 *
 * <p>The socket file appears only when it is already listening, and never with a mode other than
 * 0600: the unbound socket is fchmod'ed to 0600 (the mode bind() gives its file, minus the umask),
 * bound under a fresh temporary name in the same directory, set listening, and renamed onto the
 * final path. rename(2) is atomic and does not follow a symlink at either name, and nothing is
 * changed through a path after bind(); a client connecting the moment the path exists finds a
 * listening socket (no ECONNREFUSED). The process-wide umask is left alone: changing it would race
 * with other threads creating files. Sockets are close-on-exec.
 *
 * <p>accept() waits in poll() on the socket and on a private eventfd; close() signals the eventfd. A
 * plain close() of the fd would not wake a thread blocked in accept(), and closing an fd another thread
 * is still using risks that thread accepting on a recycled fd number, so the fd is closed only once
 * the last accept() has left.
 */
public final class UnixSocketListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UnixSocketListener.class);
    /**
     * One client at a time is served, but a reconnect loop, a refused second client and a probe may
     * all be queued while the attached session winds down.
     */
    static final int BACKLOG = 16;
    private static final int OWNER_ONLY = 0600;
    /** Attempts at a free temporary name before giving up (another process may be creating names there). */
    private static final int TEMPORARY_NAME_ATTEMPTS = 16;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final short POLLNVAL = 0x20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final int fd;
    private final Path path;
    private final Object fileKey;
    private final EventFd wakeup;
    private boolean closed;
    private int accepting;
    private boolean released;

    private UnixSocketListener(int fd, Path path, Object fileKey, EventFd wakeup) {
        this.fd = fd;
        this.path = path;
        this.fileKey = fileKey;
        this.wakeup = wakeup;
    }

    /**
     * Binds and listens at {@code path} with mode 0600. A stale socket file (nobody listening) is replaced;
     * a live socket, a non-socket file, or a path over the sun_path limit is refused.
     */
    public static UnixSocketListener bind(Path path) throws IOException {
        UnixSocketPath address = UnixSocketPath.of(path);
        removeIfStale(address);
        EventFd wakeup = EventFd.create();
        int fd = -1;
        Path temporary = null;
        try {
            // Non-blocking so a thread that loses an accept race to another gets EAGAIN and goes back to poll
            // (where close() can reach it) instead of blocking in accept4; accepted sockets stay blocking.
            fd = UnixSocket.open(UnixSocket.SOCK_NONBLOCK);
            if (Native.libc().fchmod(fd, OWNER_ONLY) != 0) {
                throw new TransportException("fchmod of the new socket for " + path, Native.lastErrno());
            }
            temporary = bindTemporary(fd, path);
            Object key = Files.readAttributes(temporary, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Native.libc().listen(fd, BACKLOG) != 0) {
                throw new TransportException("listen on " + temporary, Native.lastErrno());
            }
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
            temporary = null;
            LOG.info("listening on {} (fd {})", path, fd);
            return new UnixSocketListener(fd, path, key, wakeup);
        } catch (IOException | RuntimeException e) {
            if (temporary != null) {
                Files.deleteIfExists(temporary);
            }
            FileDescriptors.close(fd);
            wakeup.close();
            throw e;
        }
    }

    /**
     * Binds {@code fd} to an unused, unguessable name beside {@code path}; returns that name. A name
     * someone else already holds (EADDRINUSE) is skipped, never reused.
     */
    private static Path bindTemporary(int fd, Path path) throws IOException {
        Path directory = path.toAbsolutePath().getParent();
        String base = path.getFileName().toString();
        int errno = 0;
        for (int attempt = 0; attempt < TEMPORARY_NAME_ATTEMPTS; attempt++) {
            String suffix = Long.toHexString(RANDOM.nextLong() & 0xffffffffffL);
            String name = "." + base + "." + suffix;
            // keep within sun_path: shorten the copied base rather than fail a path that fits
            int over = UnixSocketPath.byteLength(directory.resolve(name)) - UnixSocketPath.MAX_PATH_BYTES;
            if (over > 0) {
                name = "." + suffix + "." + base.substring(0, Math.max(0, base.length() - over - 1));
                if (UnixSocketPath.byteLength(directory.resolve(name)) > UnixSocketPath.MAX_PATH_BYTES) {
                    name = "." + suffix;
                }
            }
            Path temporary = directory.resolve(name);
            UnixSocketPath address = UnixSocketPath.of(temporary);
            NativeBlock sockaddr = address.encode();
            try {
                if (Native.libc().bind(fd, sockaddr.pointer, address.addressLength()) == 0) {
                    return temporary;
                }
                errno = Native.lastErrno();
            } finally {
                sockaddr.free();
            }
            if (errno != Errno.EADDRINUSE) {
                break;
            }
        }
        throw new TransportException("cannot bind a temporary socket beside " + path, errno);
    }

    /**
     * Takes over an fd that must already be a listening AF_UNIX stream socket. On refusal the fd is left
     * open for the caller.
     */
    public static UnixSocketListener adopt(int listeningFd) throws IOException {
        int domain;
        try {
            domain = UnixSocket.intOption(listeningFd, UnixSocket.SOL_SOCKET, UnixSocket.SO_DOMAIN);
        } catch (TransportException e) {
            String why = e.errno() == Errno.ENOTSOCK ? "is not a socket"
                    : e.errno() == Errno.EBADF ? "is not open" : "cannot be inspected";
            LOG.warn("refusing to adopt {}: {}", FileDescriptors.describe(listeningFd), why);
            throw new TransportException("fd " + listeningFd + " " + why + ", expected a listening AF_UNIX stream socket",
                    e.errno());
        }
        int type = UnixSocket.intOption(listeningFd, UnixSocket.SOL_SOCKET, UnixSocket.SO_TYPE);
        int listening = UnixSocket.intOption(listeningFd, UnixSocket.SOL_SOCKET, UnixSocket.SO_ACCEPTCONN);
        String problem = domain != UnixSocket.AF_UNIX ? "socket domain is " + domain + ", not AF_UNIX"
                : type != UnixSocket.SOCK_STREAM ? "socket type is " + type + ", not SOCK_STREAM"
                : listening == 0 ? "socket is not listening" : null;
        if (problem != null) {
            LOG.warn("refusing to adopt {}: {}", FileDescriptors.describe(listeningFd), problem);
            throw new TransportException("fd " + listeningFd + ": " + problem);
        }
        return new UnixSocketListener(listeningFd, null, null, EventFd.create());
    }

    private static void removeIfStale(UnixSocketPath address) throws IOException {
        Path path = address.path;
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            LOG.warn("refusing to bind {}: it exists and is not a socket", path);
            throw new TransportException("cannot bind " + path + ": it exists and is not a socket (left untouched)");
        }
        // Non-blocking probe: a live server with a full backlog must not hang us (it answers EAGAIN).
        int probe = UnixSocket.open(UnixSocket.SOCK_NONBLOCK);
        int errno;
        try {
            errno = UnixSocket.connect(probe, address);
        } finally {
            FileDescriptors.close(probe);
        }
        if (errno == Errno.ECONNREFUSED) {
            // not deleted: the rename of the new, listening socket replaces it without a moment of absence
            LOG.info("replacing stale socket file {} (nobody listening)", path);
            return;
        }
        if (errno == 0 || errno == Errno.EAGAIN || errno == Errno.EINPROGRESS) {
            LOG.warn("refusing to bind {}: another server is listening on it", path);
            throw new TransportException("cannot bind " + path + ": already in use by a listening server");
        }
        throw new TransportException("cannot bind " + path + ": cannot tell whether the existing socket is stale",
                errno);
    }

    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    public int fd() {
        return fd;
    }

    /**
     * Waits for the next client.
     *
     * @throws ListenerClosedException if the listener is closed before or while waiting
     */
    public MessageSocket accept(int maxFds) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new ListenerClosedException("listener " + describe() + " is closed");
            }
            accepting++;
        }
        // struct pollfd[2]: 0 listening socket, 8 wake-up eventfd (each: 0 int fd, 4 short events, 6 short revents)
        NativeBlock pollfds = new NativeBlock(16);
        try {
            while (true) {
                pollfds.bytes.putInt(0, fd);
                pollfds.bytes.putShort(4, FdReadiness.POLLIN);
                pollfds.bytes.putShort(6, (short) 0);
                pollfds.bytes.putInt(8, wakeup.fd());
                pollfds.bytes.putShort(12, FdReadiness.POLLIN);
                pollfds.bytes.putShort(14, (short) 0);
                if (Native.libc().poll(pollfds.pointer, 2, -1) < 0) {
                    int errno = Native.lastErrno();
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    throw new TransportException("poll on listener " + describe(), errno);
                }
                if (isClosed()) {
                    throw new ListenerClosedException("listener " + describe() + " was closed while accepting");
                }
                short revents = pollfds.bytes.getShort(6);
                if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
                    throw new TransportException("listener " + describe() + " failed (poll revents 0x"
                            + Integer.toHexString(revents & 0xffff) + ")");
                }
                if ((revents & FdReadiness.POLLIN) == 0) {
                    continue;
                }
                int client = Native.libc().accept4(fd, null, null, UnixSocket.SOCK_CLOEXEC);
                if (client >= 0) {
                    LOG.debug("accepted fd {} on {}", client, describe());
                    return new MessageSocket(client, maxFds);
                }
                int errno = Native.lastErrno();
                // EAGAIN: an inherited non-blocking fd lost the race; ECONNABORTED: the client gave up
                if (errno != Errno.EINTR && errno != Errno.EAGAIN && errno != Errno.ECONNABORTED) {
                    throw new TransportException("accept on listener " + describe(), errno);
                }
            }
        } finally {
            pollfds.free();
            synchronized (this) {
                accepting--;
                releaseIfIdle();
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Wakes any accept(), unlinks the socket file if bind() created it, closes the fd. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            wakeup.signal(1);
        } catch (IOException e) {
            LOG.warn("cannot wake accepting threads of {}: {}", describe(), e.getMessage());
        }
        releaseIfIdle();
    }

    private void releaseIfIdle() {
        if (!closed || accepting > 0 || released) {
            return;
        }
        released = true;
        if (path != null) {
            unlinkOwnSocketFile();
        }
        FileDescriptors.close(fd);
        wakeup.close();
        LOG.debug("closed listener {}", describe());
    }

    /** Deletes the socket file only if it is still the one bind() made, not one a successor bound since. */
    private void unlinkOwnSocketFile() {
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, fileKey)) {
                Files.delete(path);
            } else {
                LOG.warn("not removing {}: it is no longer the socket this listener created", path);
            }
        } catch (NoSuchFileException e) {
            LOG.debug("socket file {} already gone", path);
        } catch (IOException e) {
            LOG.warn("cannot remove socket file {}: {}", path, e.toString());
        }
    }

    private String describe() {
        return path != null ? path.toString() : "fd " + fd;
    }

    @Override
    public String toString() {
        return "UnixSocketListener[" + describe() + "]";
    }
}
