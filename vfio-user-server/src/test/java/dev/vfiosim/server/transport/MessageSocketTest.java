package dev.vfiosim.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageSocketTest {
    private MessageSocket a;
    private MessageSocket b;

    @BeforeEach
    void connect() throws Exception {
        MessageSocket[] pair = MessageSocket.pair(8);
        a = pair[0];
        b = pair[1];
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3})
    void headerBodyAndEventFdsArriveIntact(int fdCount) throws Exception {
        List<EventFd> sent = new ArrayList<>();
        int[] fds = new int[fdCount];
        for (int i = 0; i < fdCount; i++) {
            sent.add(EventFd.create());
            fds[i] = sent.get(i).fd();
        }
        byte[] header = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] body = "the body of the message".getBytes(StandardCharsets.US_ASCII);
        a.send(direct(header), direct(body), fds, fdCount);

        ReceivedFds received = new ReceivedFds(8);
        ByteBuffer headerIn = ByteBuffer.allocateDirect(header.length);
        assertTrue(b.receive(headerIn, received));
        ByteBuffer bodyIn = ByteBuffer.allocateDirect(body.length);
        assertTrue(b.receive(bodyIn, received));
        assertArrayEquals(header, bytes(headerIn.flip()));
        assertArrayEquals(body, bytes(bodyIn.flip()));
        assertEquals(fdCount, received.count());
        assertFalse(received.truncated());
        for (int i = 0; i < fdCount; i++) {
            assertTrue(received.get(i) != fds[i], "a received fd is a new number");
            EventFd.signal(received.get(i), 10 + i);   // write on the received fd ...
            assertEquals(10 + i, sent.get(i).readNow());   // ... read on the original
        }
        received.closeAll();
        assertEquals(0, received.count());
        sent.forEach(EventFd::close);
    }

    @Test
    void aSendToAPeerThatStopsReadingEndsAtTheSendTimeout() throws Exception {
        a.setSendTimeout(Duration.ofMillis(200));
        ByteBuffer body = ByteBuffer.allocateDirect(8 << 20);   // far more than a socket's queue holds
        SendTimeoutException e = assertThrows(SendTimeoutException.class,
                () -> a.send(direct(new byte[16]), body, null, 0));
        assertEquals(Errno.EAGAIN, e.errno());
        assertTrue(body.position() == 0, "a failed send leaves the buffer's position alone");
    }

    @Test
    void aSendTimeoutDoesNotCutAPeerThatKeepsReading() throws Exception {
        a.setSendTimeout(Duration.ofSeconds(30));
        byte[] content = new byte[8 << 20];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 + (i >>> 13));
        }
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> got = reader.submit(() -> {
                ByteBuffer in = ByteBuffer.allocateDirect(16 + content.length);
                assertTrue(b.receive(in, null));
                return bytes(in.flip().position(16));
            });
            a.send(direct(new byte[16]), direct(content), null, 0);
            assertArrayEquals(content, got.get(60, TimeUnit.SECONDS));
        } finally {
            reader.shutdownNow();
        }
    }

    @Test
    void withoutASendTimeoutASendWaitsForThePeer() throws Exception {
        ByteBuffer body = ByteBuffer.allocateDirect(8 << 20);
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Future<?> sending = sender.submit(() -> {
                a.send(direct(new byte[16]), body, null, 0);
                return null;
            });
            // the queue is full and nobody reads: the send is still waiting, not failed
            assertThrows(TimeoutException.class, () -> sending.get(500, TimeUnit.MILLISECONDS));
            ByteBuffer in = ByteBuffer.allocateDirect(16 + body.capacity());
            assertTrue(b.receive(in, null));
            sending.get(60, TimeUnit.SECONDS);
            assertEquals(0, body.remaining());
        } finally {
            sender.shutdownNow();
        }
    }

    @Test
    void passedMemfdShowsTheSameContent() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("passed", 4096)) {
            memory.buffer().putLong(128, 0x1122334455667788L);
            a.send(direct(new byte[] {1}), null, new int[] {memory.fd()}, 1);
            ReceivedFds received = new ReceivedFds(1);
            assertTrue(b.receive(ByteBuffer.allocateDirect(1), received));
            try (MappedMemory view = MappedMemory.map(received.get(0), 0, 4096, true)) {
                assertEquals(0x1122334455667788L, view.getLong(128));
                view.putInt(0, 77);
                assertEquals(77, memory.buffer().getInt(0));
            }
            received.closeAll();
        }
    }

    @Test
    void heapBuffersAreSentToo() throws Exception {
        byte[] body = new byte[200_000];   // bigger than the staging block
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 42);
        ByteBuffer heapBody = ByteBuffer.wrap(body).asReadOnlyBuffer();
        Future<?> sender = Executors.newSingleThreadExecutor().submit(() -> {
            a.send(header, heapBody, null, 0);
            return null;
        });
        ByteBuffer in = ByteBuffer.allocateDirect(16 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(b.receive(in, null));
        sender.get(5, TimeUnit.SECONDS);
        assertEquals(42, in.getInt(0));
        assertArrayEquals(body, bytes(in.position(16)));
        assertEquals(0, header.remaining(), "send consumes the header");
        assertEquals(0, heapBody.remaining(), "send consumes the body");
    }

    @Test
    void moreFdsThanTheControlBufferHoldsAreTruncatedWithoutLeaks() throws Exception {
        MessageSocket[] small = MessageSocket.pair(2);
        List<EventFd> sent = new ArrayList<>();
        int[] fds = new int[5];
        for (int i = 0; i < fds.length; i++) {
            sent.add(EventFd.create());
            fds[i] = sent.get(i).fd();
        }
        int before = OpenFileDescriptors.settled();
        small[0].send(direct(new byte[16]), null, fds, fds.length);
        ReceivedFds received = new ReceivedFds(8);
        assertTrue(small[1].receive(ByteBuffer.allocateDirect(16), received));
        assertTrue(received.truncated());
        assertTrue(received.count() <= 2);
        received.closeAll();
        assertFalse(received.truncated());
        assertEquals(before, OpenFileDescriptors.awaitAtMost(before));
        small[0].close();
        small[1].close();
        sent.forEach(EventFd::close);
    }

    @Test
    void aMessageInTwoPartsWithinItsDeadlineArrivesWhole() throws Exception {
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            MessageDeadline deadline = new MessageDeadline(Duration.ofSeconds(10));
            deadline.reset();
            a.send(direct(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), null, null, 0);
            ByteBuffer header = ByteBuffer.allocateDirect(16);
            Future<Boolean> receiving = background.submit(() -> b.receive(header, null, deadline));
            a.send(direct(new byte[] {9, 10, 11, 12, 13, 14, 15, 16}), null, null, 0);
            assertTrue(receiving.get(10, TimeUnit.SECONDS));
            assertEquals(16, header.position());
            assertTrue(deadline.started());
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void aMessageThatStopsHalfWayTimesOutButIdleWaitingDoesNot() throws Exception {
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            MessageDeadline deadline = new MessageDeadline(Duration.ofMillis(100));
            deadline.reset();
            Future<Boolean> idle = background.submit(() -> b.receive(ByteBuffer.allocateDirect(16), null, deadline));
            // before its first byte a message has no deadline: still waiting after three timeouts
            assertThrows(TimeoutException.class, () -> idle.get(300, TimeUnit.MILLISECONDS));
            a.send(direct(new byte[8]), null, null, 0);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> idle.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ReceiveTimeoutException, e.getCause().toString());
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void moreFdsThanReceivedFdsHoldsAreClosed() throws Exception {
        // Counted by name, not by total: other threads of the JVM (class loading, GC logs, a previous
        // test's sessions) open and close fds of their own at any moment.
        String name = "truncation-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int[] fds = new int[4];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = Native.libc().memfd_create(name, 1 /* MFD_CLOEXEC */);
            assertTrue(fds[i] >= 0, "memfd_create");
        }
        try {
            assertEquals(4, openFdsNamed(name));
            a.send(direct(new byte[16]), null, fds, fds.length);
            ReceivedFds received = new ReceivedFds(1);
            assertTrue(b.receive(ByteBuffer.allocateDirect(16), received));
            assertTrue(received.truncated());
            assertEquals(1, received.count());
            assertEquals(5, openFdsNamed(name), "only the stored fd was installed; the kernel dropped the rest");
            received.closeAll();
            assertEquals(4, openFdsNamed(name), "closeAll closed it");
        } finally {
            for (int fd : fds) {
                FileDescriptors.close(fd);
            }
        }
    }

    /** Open fds of this process whose /proc/self/fd link names {@code name} (a memfd's name shows there). */
    private static int openFdsNamed(String name) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : entries) {
                try {
                    if (Files.readSymbolicLink(entry).toString().contains(name)) {
                        n++;
                    }
                } catch (IOException gone) {
                    // an fd another thread closed meanwhile (or the directory's own): not ours
                }
            }
        }
        return n;
    }

    @Test
    void takenFdsAreNotClosedByCloseAll() throws Exception {
        try (EventFd event = EventFd.create()) {
            a.send(direct(new byte[1]), null, new int[] {event.fd()}, 1);
            ReceivedFds received = new ReceivedFds(2);
            assertTrue(b.receive(ByteBuffer.allocateDirect(1), received));
            int mine = received.take(0);
            assertThrows(IllegalStateException.class, () -> received.get(0));
            received.closeAll();
            EventFd.signal(mine, 5);   // still open
            assertEquals(5, event.readNow());
            FileDescriptors.close(mine);
        }
    }

    @Test
    void fourMebibytesArriveIntactAcrossPartialReads() throws Exception {
        int size = 4 * 1024 * 1024;
        ByteBuffer out = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size / 4; i++) {
            out.putInt(i * 4, i * 7 + 1);
        }
        ByteBuffer header = direct(new byte[] {9, 9, 9, 9});
        ExecutorService sender = Executors.newSingleThreadExecutor();
        Future<?> sending = sender.submit(() -> {
            a.send(header, out, null, 0);
            return null;
        });
        ByteBuffer in = ByteBuffer.allocateDirect(4 + size);
        assertTrue(b.receive(in, null));
        sending.get(10, TimeUnit.SECONDS);
        sender.shutdown();
        in.flip();
        assertEquals(9, in.get(3));
        assertEquals(out.rewind(), in.position(4));
    }

    @Test
    void cleanCloseBeforeTheFirstByteReturnsFalse() throws Exception {
        a.close();
        assertFalse(b.receive(ByteBuffer.allocateDirect(16), new ReceivedFds(1)));
    }

    @Test
    void closeInTheMiddleOfABufferIsPeerClosed() throws Exception {
        a.send(direct(new byte[10]), null, null, 0);
        a.close();
        ByteBuffer in = ByteBuffer.allocateDirect(16);
        assertThrows(PeerClosedException.class, () -> b.receive(in, null));
        assertEquals(10, in.position());
    }

    @Test
    void sendingToAClosedPeerIsPeerClosed() {
        b.close();
        ByteBuffer body = ByteBuffer.allocateDirect(1 << 20);
        assertThrows(PeerClosedException.class, () -> {
            for (int i = 0; i < 16; i++) {
                a.send(direct(new byte[16]), body.clear(), null, 0);
            }
        });
    }

    @Test
    void shutdownWakesABlockedReceive() throws Exception {
        ExecutorService receiver = Executors.newSingleThreadExecutor();
        CountDownLatch started = new CountDownLatch(1);
        Future<Boolean> receiving = receiver.submit(() -> {
            started.countDown();
            return b.receive(ByteBuffer.allocateDirect(16), null);
        });
        started.await();
        Thread.sleep(100);
        long start = System.nanoTime();
        b.shutdown();
        assertFalse(receiving.get(1, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        b.shutdown();   // idempotent
        receiver.shutdown();
    }

    @Test
    void closeFromAnotherThreadWakesAndThenRefuses() throws Exception {
        ExecutorService receiver = Executors.newSingleThreadExecutor();
        Future<Boolean> receiving = receiver.submit(() -> b.receive(ByteBuffer.allocateDirect(16), null));
        Thread.sleep(100);
        b.close();
        assertFalse(receiving.get(1, TimeUnit.SECONDS));
        assertThrows(TransportException.class, () -> b.receive(ByteBuffer.allocateDirect(16), null));
        b.close();
        receiver.shutdown();
    }

    @Test
    void closeWakesASendBlockedOnAFullSocket() throws Exception {
        ExecutorService sender = Executors.newSingleThreadExecutor();
        ExecutorService closer = Executors.newSingleThreadExecutor();
        ByteBuffer big = ByteBuffer.allocateDirect(16 * 1024 * 1024);   // far more than the socket buffers hold
        Future<?> sending = sender.submit(() -> {
            a.send(big, null, null, 0);
            return null;
        });
        Thread.sleep(200);
        Future<?> closing = closer.submit(() -> a.close());
        closing.get(2, TimeUnit.SECONDS);
        java.util.concurrent.ExecutionException failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> sending.get(2, TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof TransportException, failure.getCause().toString());
        sender.shutdown();
        closer.shutdown();
    }

    @Test
    void receiveTimeoutThrows() throws Exception {
        b.setReceiveTimeout(Duration.ofMillis(100));
        assertThrows(ReceiveTimeoutException.class, () -> b.receive(ByteBuffer.allocateDirect(16), null));
        b.setReceiveTimeout(Duration.ZERO);
        a.send(direct(new byte[16]), null, null, 0);
        assertTrue(b.receive(ByteBuffer.allocateDirect(16), null));
    }

    @Test
    void concurrentSendersNeverInterleave() throws Exception {
        int threads = 4;
        int messages = 200;
        int size = 100_000;
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        List<Future<?>> sending = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            byte fill = (byte) (t + 1);
            sending.add(senders.submit(() -> {
                ByteBuffer body = ByteBuffer.allocateDirect(size);
                for (int i = 0; i < size; i++) {
                    body.put(i, fill);
                }
                ByteBuffer header = ByteBuffer.allocateDirect(1);
                for (int m = 0; m < messages; m++) {
                    a.send(header.clear().put(0, fill), body.clear(), null, 0);
                }
                return null;
            }));
        }
        ByteBuffer in = ByteBuffer.allocateDirect(1 + size);
        for (int m = 0; m < threads * messages; m++) {
            assertTrue(b.receive(in.clear(), null));
            byte fill = in.get(0);
            for (int i = 1; i <= size; i += 997) {
                assertEquals(fill, in.get(i), "message " + m + " byte " + i);
            }
            assertEquals(fill, in.get(size));
        }
        for (Future<?> f : sending) {
            f.get(10, TimeUnit.SECONDS);
        }
        senders.shutdown();
    }

    /** Segments of direct buffers, as a migration chunk lends them. */
    private record Parts(ByteBuffer[] buffers, int[] offsets, int[] lengths) implements MessageSocket.Segments {
        @Override public int count() { return buffers.length; }
        @Override public ByteBuffer buffer(int i) { return buffers[i]; }
        @Override public int offset(int i) { return offsets[i]; }
        @Override public int length(int i) { return lengths[i]; }
    }

    /**
     * More segments than one sendmsg takes (IOV_MAX) and more bytes than the socket buffer holds, so
     * the send continues after short sends and iovec batches, some segments empty: the peer gets the
     * segments' bytes in order, as one message.
     */
    @Test
    void gatheredSendDeliversEverySegmentInOrder() throws Exception {
        int count = 2500;
        java.util.Random random = new java.util.Random(21);
        ByteBuffer[] buffers = new ByteBuffer[count];
        int[] offsets = new int[count];
        int[] lengths = new int[count];
        ByteBuffer shared = ByteBuffer.allocateDirect(8192);
        for (int i = 0; i < 8192; i++) {
            shared.put(i, (byte) random.nextInt());
        }
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            boolean own = random.nextBoolean();
            buffers[i] = own ? ByteBuffer.allocateDirect(4096) : shared;
            if (own) {
                for (int k = 0; k < 4096; k++) {
                    buffers[i].put(k, (byte) random.nextInt());
                }
            }
            lengths[i] = i % 97 == 0 ? 0 : 1 + random.nextInt(own ? 4095 : 8191);
            offsets[i] = random.nextInt(buffers[i].capacity() - lengths[i] + 1);
            byte[] part = new byte[lengths[i]];
            buffers[i].get(offsets[i], part);
            expected.writeBytes(part);
        }
        byte[] want = expected.toByteArray();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        Future<?> sent = sender.submit(() -> {
            a.send(new Parts(buffers, offsets, lengths));
            return null;
        });
        ByteBuffer in = ByteBuffer.allocateDirect(want.length);
        assertTrue(b.receive(in, null));
        sent.get(10, TimeUnit.SECONDS);
        sender.shutdown();
        assertArrayEquals(want, bytes(in.flip()));
        assertFalse(b.awaitReadable(Duration.ZERO), "nothing beyond the message");
    }

    @Test
    void gatheredSendRefusesHeapSegmentsAndRangesOutsideTheBuffer() {
        assertThrows(IllegalArgumentException.class, () -> a.send(new Parts(new ByteBuffer[] {ByteBuffer.allocate(8)},
                new int[] {0}, new int[] {8})));
        assertThrows(IllegalArgumentException.class, () -> a.send(new Parts(new ByteBuffer[] {ByteBuffer.allocateDirect(8)},
                new int[] {4}, new int[] {5})));
    }

    @Test
    void gatheredSendToAVanishedPeerIsPeerClosed() {
        b.close();
        assertThrows(PeerClosedException.class, () -> a.send(new Parts(new ByteBuffer[] {ByteBuffer.allocateDirect(8)},
                new int[] {0}, new int[] {8})));
    }

    @Test
    void heapReceiveBufferIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> b.receive(ByteBuffer.allocate(4), null));
    }

    @Test
    void noFdLeakOverManyPairs() throws Exception {
        for (int i = 0; i < 10; i++) {   // warm up lazily opened JDK files
            MessageSocket[] pair = MessageSocket.pair(4);
            pair[0].close();
            pair[1].close();
        }
        int before = OpenFileDescriptors.settled();
        for (int i = 0; i < 200; i++) {
            MessageSocket[] pair = MessageSocket.pair(4);
            pair[0].send(direct(new byte[] {1, 2}), null, null, 0);
            assertTrue(pair[1].receive(ByteBuffer.allocateDirect(2), new ReceivedFds(4)));
            pair[0].close();
            pair[1].close();
        }
        assertEquals(before, OpenFileDescriptors.awaitAtMost(before));
    }
}
