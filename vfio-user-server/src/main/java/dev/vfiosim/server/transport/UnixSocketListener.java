package dev.vfiosim.server.transport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket the VMM connects to: bound to a path, or an already-listening fd handed over by
 * whoever started us ({@code --fd}).
 *
 * <p>The socket file appears only when it is already listening, and never with a mode other than
 * 0600: the socket is bound and set listening in a fresh directory beside the final path that only
 * we can enter (mode 0700), its file is given mode 0600 there, and it is renamed onto the final
 * path. rename(2) is atomic and does not follow a symlink at either name, and no other user can
 * reach the file before the rename; a client connecting the moment the path exists finds a
 * listening socket (no ECONNREFUSED). The process-wide umask is left alone: changing it would race
 * with other threads creating files. Sockets are close-on-exec (the listening one from its first
 * accept: the JDK's channel leaves that to us, and the JDK's own process launching closes every
 * fd in the child anyway).
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
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** The socket's name inside its private directory before the rename. */
    private static final String HIDDEN_NAME = "s";
    /** Attempts at a free temporary name before giving up (another process may be creating names there). */
    private static final int TEMPORARY_NAME_ATTEMPTS = 16;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int O_NONBLOCK = 04000;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final short POLLNVAL = 0x20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final int fd;
    /** The JDK channel that owns {@link #fd} when bind() made it ({@code null} for an adopted fd). */
    private final ServerSocketChannel channel;
    private final Path path;
    private final Object fileKey;
    /** What close() signals to wake an accept(); made by the first accept() (the libc binding is needed). */
    private EventFd wakeup;
    /** Whether the fd is close-on-exec yet: the JDK's channel does not make it so, the first accept does. */
    private boolean closeOnExec;
    private boolean closed;
    private int accepting;
    private boolean released;

    private UnixSocketListener(int fd, ServerSocketChannel channel, Path path, Object fileKey) {
        this.fd = fd;
        this.channel = channel;
        this.path = path;
        this.fileKey = fileKey;
    }

    /**
     * Binds and listens at {@code path} with mode 0600. A stale socket file (nobody listening) is replaced;
     * a live socket, a non-socket file, or a path over the sun_path limit is refused.
     *
     * <p>Bound and set listening by the JDK's own UNIX-domain channel, so that a start does not wait
     * for the libc binding (made on another thread meanwhile): the socket is bound in a fresh
     * private directory (mode 0700) beside {@code path}, where nobody else can reach its file, given
     * mode 0600 there, and renamed onto {@code path}.
     */
    public static UnixSocketListener bind(Path path) throws IOException {
        UnixSocketPath address = UnixSocketPath.of(path);
        removeIfStale(address);
        Path hideout = createHideout(path);
        Path hidden = hideout.resolve(HIDDEN_NAME);
        ServerSocketChannel channel = null;
        boolean moved = false;
        try {
            UnixSocketPath.of(hidden);   // the same sun_path check, with its clear message
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(hidden), BACKLOG);
            // non-blocking: a thread that loses an accept race gets EAGAIN and goes back to poll
            // (where close() can reach it) instead of blocking in accept4; accepted sockets stay blocking
            channel.configureBlocking(false);
            Files.setPosixFilePermissions(hidden, OWNER_ONLY);
            Object key = Files.readAttributes(hidden, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            int fd = BoundSocketFd.of(hidden);
            Files.move(hidden, path, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            LOG.info("listening on {} (fd {})", path, fd);
            return new UnixSocketListener(fd, channel, path, key);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            throw e;
        } finally {
            if (!moved) {
                Files.deleteIfExists(hidden);
            }
            Files.deleteIfExists(hideout);
        }
    }

    /**
     * Makes a directory only we can enter, under an unused, unguessable name beside {@code path};
     * a name someone else already holds is skipped, never reused. Kept short: the socket's name in
     * it must fit in sun_path, as the final path does.
     */
    private static Path createHideout(Path path) throws IOException {
        Path directory = path.toAbsolutePath().getParent();
        for (int attempt = 0; attempt < TEMPORARY_NAME_ATTEMPTS; attempt++) {
            Path candidate = directory.resolve("." + Long.toHexString(RANDOM.nextLong() & 0xffffffffL));
            try {
                return Files.createDirectory(candidate, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
            } catch (FileAlreadyExistsException e) {
                // another process's name: draw again
            }
        }
        throw new TransportException("cannot make a private directory beside " + path + " to bind in");
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
        // non-blocking, as a bound one: an accept that another holder of the fd wins must not block us
        int flags = Native.libc().fcntl(listeningFd, F_GETFL, 0);
        if (flags < 0 || Native.libc().fcntl(listeningFd, F_SETFL, flags | O_NONBLOCK) < 0) {
            throw new TransportException("cannot make fd " + listeningFd + " non-blocking", Native.lastErrno());
        }
        return new UnixSocketListener(listeningFd, null, null, null);
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
            if (wakeup == null) {
                wakeup = EventFd.create();
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
                MessageSocket client = acceptNow(maxFds);
                if (client != null) {
                    return client;
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

    /**
     * Takes the next queued client without waiting (the fd is non-blocking); {@code null} if none is
     * queued or the one queued gave up. For a caller that waits for readiness itself (one poller for
     * every listener of the process), which must not call it once {@link #close()} has begun.
     *
     * @throws ListenerClosedException if the listener is closed
     */
    public synchronized MessageSocket acceptNow(int maxFds) throws IOException {
        if (closed) {
            throw new ListenerClosedException("listener " + describe() + " is closed");
        }
        if (!closeOnExec) {
            closeOnExec = true;
            if (Native.libc().fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                LOG.warn("cannot make listener {} close-on-exec: {}", describe(), Native.describe(Native.lastErrno()));
            }
        }
        int client = Native.libc().accept4(fd, null, null, UnixSocket.SOCK_CLOEXEC);
        if (client >= 0) {
            LOG.debug("accepted fd {} on {}", client, describe());
            return new MessageSocket(client, maxFds);
        }
        int errno = Native.lastErrno();
        // EAGAIN: nobody queued (another accept took it); ECONNABORTED: the client gave up
        if (errno != Errno.EINTR && errno != Errno.EAGAIN && errno != Errno.ECONNABORTED) {
            throw new TransportException("accept on listener " + describe(), errno);
        }
        return null;
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
        if (wakeup != null) {
            try {
                wakeup.signal(1);
            } catch (IOException e) {
                LOG.warn("cannot wake accepting threads of {}: {}", describe(), e.getMessage());
            }
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
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("closing listener {}: {}", describe(), e.getMessage());
            }
        } else {
            FileDescriptors.close(fd);
        }
        if (wakeup != null) {
            wakeup.close();
        }
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
