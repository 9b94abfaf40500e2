package dev.vfiosim.server.transport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The fd number of a listening socket the JDK's own channel made, found through /proc: the JDK
 * does not hand out its channels' fds, and the rest of the transport (poll, accept4, recvmsg with
 * fds) works on fd numbers. /proc/net/unix names the socket inode bound to each path; the fd of
 * this process whose /proc/self/fd link is that inode is the one. The path must be unique (the
 * listener binds under a fresh private name), so no other socket can match.
 */
final class BoundSocketFd {
    private static final Path UNIX_SOCKETS = Path.of("/proc/net/unix");
    private static final Path OWN_FDS = Path.of("/proc/self/fd");
    /** Fields of a /proc/net/unix line: Num RefCount Protocol Flags Type St Inode [Path]. */
    private static final int INODE_FIELD = 6;
    private static final int PATH_FIELD = 7;

    private BoundSocketFd() {
    }

    static int of(Path boundPath) throws IOException {
        String wanted = "socket:[" + inodeBoundTo(boundPath.toString()) + "]";
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(OWN_FDS)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue;   // an fd closed meanwhile (the directory stream's own, say)
                }
                if (target.equals(wanted)) {
                    return Integer.parseInt(fd.getFileName().toString());
                }
            }
        }
        throw new TransportException("no fd of this process is the socket bound to " + boundPath);
    }

    private static String inodeBoundTo(String path) throws IOException {
        List<String> lines = Files.readAllLines(UNIX_SOCKETS);
        for (int i = 1; i < lines.size(); i++) {
            // the path is the rest of the line: it may hold spaces
            String[] fields = lines.get(i).trim().split("\\s+", PATH_FIELD + 1);
            if (fields.length == PATH_FIELD + 1 && fields[PATH_FIELD].equals(path)) {
                return fields[INODE_FIELD];
            }
        }
        throw new TransportException("/proc/net/unix lists no socket bound to " + path);
    }
}
