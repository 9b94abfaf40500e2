package dev.vfiosim.server.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closing raw fds and naming them in logs. */
public final class FileDescriptors {
    private static final Logger LOG = LoggerFactory.getLogger(FileDescriptors.class);

    private FileDescriptors() {
    }

    /**
     * Closes {@code fd}; negative values are ignored. Never retried: on Linux the fd is released even
     * when close reports EINTR, and a retry could close an fd another thread just received.
     */
    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        if (Native.libc().close(fd) != 0) {
            int errno = Native.lastErrno();
            if (errno == Errno.EBADF) {
                LOG.debug("close({}): already closed", fd);
            } else if (errno != Errno.EINTR) {
                LOG.warn("close({}) failed: {}", fd, Native.describe(errno));
            }
        }
    }

    /** {@code "fd 7 -> socket:[1234]"}, from /proc/self/fd; for log messages only. */
    public static String describe(int fd) {
        try {
            return "fd " + fd + " -> " + Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
        } catch (IOException | UnsupportedOperationException e) {
            return "fd " + fd + " (not open)";
        }
    }
}
