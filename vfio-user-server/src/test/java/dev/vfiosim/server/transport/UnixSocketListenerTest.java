package dev.vfiosim.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UnixSocketListenerTest {
    private Path dir;
    private Path socket;
    private final ExecutorService background = Executors.newCachedThreadPool();

    @BeforeEach
    void makeDirectory() throws IOException {
        // java.io.tmpdir can be long; socket paths must stay within sun_path
        dir = Files.createTempDirectory("vs");
        socket = dir.resolve("s.sock");
        assertTrue(socket.toString().getBytes(StandardCharsets.UTF_8).length <= UnixSocketPath.MAX_PATH_BYTES,
                "temp dir too long for a socket path: " + socket);
    }

    @AfterEach
    void removeDirectory() throws IOException {
        background.shutdownNow();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    private static String text(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.flip().remaining()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void bindCreatesAnOwnerOnlySocketAndCloseUnlinksIt() throws Exception {
        try (UnixSocketListener listener = UnixSocketListener.bind(socket)) {
            assertEquals(socket, listener.path().orElseThrow());
            assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
            assertEquals(PosixFilePermissions.fromString("rw-------"),
                    Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS));
            assertEquals(0140000, (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000);
            listener.close();
            assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
            listener.close();   // idempotent
        }
    }

    @Test
    void messagesFlowBothWaysThroughAnAcceptedConnection() throws Exception {
        try (UnixSocketListener listener = UnixSocketListener.bind(socket)) {
            Future<MessageSocket> accepting = background.submit(() -> listener.accept(4));
            try (MessageSocket client = MessageSocket.connect(socket, 4);
                    MessageSocket server = accepting.get(5, TimeUnit.SECONDS);
                    EventFd event = EventFd.create()) {
                client.send(direct("ping"), null, new int[] {event.fd()}, 1);
                ReceivedFds fds = new ReceivedFds(4);
                ByteBuffer in = ByteBuffer.allocateDirect(4);
                assertTrue(server.receive(in, fds));
                assertEquals("ping", text(in));
                assertEquals(1, fds.count());
                EventFd.signal(fds.get(0), 3);
                assertEquals(3, event.readNow());
                fds.closeAll();

                server.send(direct("po"), direct("ng"), null, 0);
                ByteBuffer reply = ByteBuffer.allocateDirect(4);
                assertTrue(client.receive(reply, null));
                assertEquals("pong", text(reply));
            }
        }
    }

    @Test
    void theSocketFileAppearsOnlyOnceListeningAndOnlyOwnerOnly() throws Exception {
        for (int round = 0; round < 20; round++) {
            // a client that connects the moment the path exists, and looks at its mode first
            Future<int[]> watcher = background.submit(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                    if (System.nanoTime() > deadline) {
                        return new int[] {-1, -1};
                    }
                    Thread.onSpinWait();
                }
                int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777;
                int probe = UnixSocket.open(UnixSocket.SOCK_NONBLOCK);
                try {
                    return new int[] {mode, UnixSocket.connect(probe, UnixSocketPath.of(socket))};
                } finally {
                    FileDescriptors.close(probe);
                }
            });
            try (UnixSocketListener listener = UnixSocketListener.bind(socket)) {
                int[] seen = watcher.get(10, TimeUnit.SECONDS);
                assertEquals(0600, seen[0], "round " + round + ": mode at first sight");
                assertEquals(0, seen[1], "round " + round + ": a connect at first sight succeeds (errno " + seen[1] + ")");
                try (Stream<Path> files = Files.list(dir)) {
                    assertEquals(1, files.count(), "no temporary name is left beside the socket");
                }
            }
        }
    }

    @Test
    void aSymlinkAtThePathIsNeitherFollowedNorReplaced() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(socket, victim);
        assertThrows(TransportException.class, () -> UnixSocketListener.bind(socket));
        assertEquals("precious", Files.readString(victim));
        assertEquals(PosixFilePermissions.fromString("rw-r--r--"), Files.getPosixFilePermissions(victim));
        assertTrue(Files.isSymbolicLink(socket), "the link is left as it was");
        Files.delete(socket);
        Path nowhere = dir.resolve("nowhere");
        Files.createSymbolicLink(socket, nowhere);
        assertThrows(TransportException.class, () -> UnixSocketListener.bind(socket));
        assertFalse(Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS), "nothing is created through a dangling link");
    }

    @Test
    void theBacklogHoldsSixteenClientsNobodyAcceptedYet() throws Exception {
        int[] probes = new int[UnixSocketListener.BACKLOG];
        try (UnixSocketListener listener = UnixSocketListener.bind(socket)) {
            assertTrue(UnixSocketListener.BACKLOG >= 16);
            for (int i = 0; i < probes.length; i++) {
                probes[i] = UnixSocket.open(UnixSocket.SOCK_NONBLOCK);
                assertEquals(0, UnixSocket.connect(probes[i], UnixSocketPath.of(socket)), "pending client " + i);
            }
        } finally {
            for (int fd : probes) {
                if (fd > 0) {
                    FileDescriptors.close(fd);
                }
            }
        }
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        UnixSocketListener first = UnixSocketListener.bind(socket);
        // Simulate a crashed server: its fd goes away but the socket file stays behind.
        Path keep = dir.resolve("keep.sock");
        Files.move(socket, keep);
        first.close();   // does not find its file at the original path; the moved one is stale now
        Files.move(keep, socket);
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        try (UnixSocketListener second = UnixSocketListener.bind(socket)) {
            Future<MessageSocket> accepting = background.submit(() -> second.accept(0));
            try (MessageSocket client = MessageSocket.connect(socket, 0);
                    MessageSocket server = accepting.get(5, TimeUnit.SECONDS)) {
                client.send(direct("x"), null, null, 0);
                assertTrue(server.receive(ByteBuffer.allocateDirect(1), null));
            }
        }
    }

    @Test
    void regularFileIsRefusedAndLeftIntact() throws Exception {
        Files.writeString(socket, "precious");
        TransportException refused = assertThrows(TransportException.class, () -> UnixSocketListener.bind(socket));
        assertTrue(refused.getMessage().contains("not a socket"), refused.getMessage());
        assertEquals("precious", Files.readString(socket));
    }

    @Test
    void tooLongPathIsRefusedNamingTheLimit() {
        Path tooLong = dir.resolve("x".repeat(120));
        TransportException refused = assertThrows(TransportException.class, () -> UnixSocketListener.bind(tooLong));
        assertTrue(refused.getMessage().contains("107"), refused.getMessage());
        assertFalse(Files.exists(tooLong));
        assertThrows(TransportException.class, () -> MessageSocket.connect(tooLong, 0));
    }

    @Test
    void pathWithALiveListenerIsRefused() throws Exception {
        try (UnixSocketListener live = UnixSocketListener.bind(socket)) {
            TransportException refused = assertThrows(TransportException.class, () -> UnixSocketListener.bind(socket));
            assertTrue(refused.getMessage().contains("already in use"), refused.getMessage());
            assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the live socket file stays");
        }
    }

    @Test
    void acceptBlockedWhenClosedThrowsListenerClosed() throws Exception {
        UnixSocketListener listener = UnixSocketListener.bind(socket);
        Future<MessageSocket> accepting = background.submit(() -> listener.accept(0));
        Thread.sleep(100);
        listener.close();
        java.util.concurrent.ExecutionException failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> accepting.get(1, TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof ListenerClosedException, failure.getCause().toString());
        assertThrows(ListenerClosedException.class, () -> listener.accept(0));
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void adoptRefusesANonSocket() throws Exception {
        try (EventFd notASocket = EventFd.create()) {
            TransportException refused = assertThrows(TransportException.class,
                    () -> UnixSocketListener.adopt(notASocket.fd()));
            assertTrue(refused.getMessage().contains("not a socket"), refused.getMessage());
            notASocket.signal(1);   // still open: a refused fd stays the caller's
        }
    }

    @Test
    void adoptRefusesAConnectedSocket() throws Exception {
        MessageSocket[] pair = MessageSocket.pair(0);
        try {
            TransportException refused = assertThrows(TransportException.class,
                    () -> UnixSocketListener.adopt(pair[0].fd()));
            assertTrue(refused.getMessage().contains("not listening"), refused.getMessage());
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void adoptedListenerAccepts() throws Exception {
        // Borrow a listening fd from a bound listener, as a parent process would hand one over.
        int listening = Native.libc().socket(UnixSocket.AF_UNIX, UnixSocket.SOCK_STREAM | UnixSocket.SOCK_CLOEXEC, 0);
        UnixSocketPath address = UnixSocketPath.of(socket);
        NativeBlock sockaddr = address.encode();
        assertEquals(0, Native.libc().bind(listening, sockaddr.pointer, address.addressLength()));
        sockaddr.free();
        assertEquals(0, Native.libc().listen(listening, 1));
        try (UnixSocketListener adopted = UnixSocketListener.adopt(listening)) {
            assertTrue(adopted.path().isEmpty());
            Future<MessageSocket> accepting = background.submit(() -> adopted.accept(0));
            try (MessageSocket client = MessageSocket.connect(socket, 0);
                    MessageSocket server = accepting.get(5, TimeUnit.SECONDS)) {
                server.send(direct("hi"), null, null, 0);
                ByteBuffer in = ByteBuffer.allocateDirect(2);
                assertTrue(client.receive(in, null));
                assertEquals("hi", text(in));
            }
        }
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "an adopted listener does not unlink");
    }

    @Test
    void connectWithNobodyListeningFails() {
        assertThrows(TransportException.class, () -> MessageSocket.connect(socket, 0));
    }

    @Test
    void noFdLeakOverListenerCycles() throws Exception {
        int before = 0;
        // the first cycle loads classes (and opens jars) lazily: count from the second one on
        for (int i = -1; i < 20; i++) {
            if (i == 0) {
                before = OpenFileDescriptors.settled();
            }
            try (UnixSocketListener listener = UnixSocketListener.bind(socket)) {
                Future<MessageSocket> accepting = background.submit(() -> listener.accept(0));
                MessageSocket client = MessageSocket.connect(socket, 0);
                accepting.get(5, TimeUnit.SECONDS).close();
                client.close();
            }
        }
        assertEquals(before, OpenFileDescriptors.awaitAtMost(before));
    }
}
