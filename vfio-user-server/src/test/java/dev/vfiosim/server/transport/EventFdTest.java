package dev.vfiosim.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventFdTest {
    @Test
    void signalsAddUpAndAwaitDrains() throws Exception {
        try (EventFd event = EventFd.create()) {
            event.signal(2);
            EventFd.signal(event.fd(), 40);
            assertEquals(42, event.await(Duration.ofSeconds(1)));
            assertEquals(0, event.readNow());
        }
    }

    @Test
    void awaitTimesOutWithZero() throws Exception {
        try (EventFd event = EventFd.create()) {
            long start = System.nanoTime();
            assertEquals(0, event.await(Duration.ofMillis(150)));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(140), "waited only " + waited + " ns");
            assertEquals(0, event.await(Duration.ZERO));
        }
    }

    @Test
    void awaitWakesOnASignalFromAnotherThread() throws Exception {
        ExecutorService signaller = Executors.newSingleThreadExecutor();
        try (EventFd event = EventFd.create()) {
            Future<?> signalling = signaller.submit(() -> {
                Thread.sleep(100);
                EventFd.signal(event.fd(), 7);
                return null;
            });
            assertEquals(7, event.await(Duration.ofSeconds(5)));
            signalling.get(1, TimeUnit.SECONDS);
        } finally {
            signaller.shutdown();
        }
    }

    @Test
    void closedEventFdRefusesUse() throws Exception {
        EventFd event = EventFd.create();
        int before = OpenFileDescriptors.count();
        event.close();
        event.close();
        assertEquals(before - 1, OpenFileDescriptors.count());
        assertThrows(TransportException.class, () -> event.signal(1));
        assertThrows(TransportException.class, () -> EventFd.signal(-1, 1));
    }

    /** The counter's maximum is 2^64 - 2: one more would have to wait for a read. */
    private static final long FULL = 0xfffffffffffffffeL;

    @Test
    void signalIfRoomAddsOneToANonBlockingEventfd() throws Exception {
        try (EventFd event = EventFd.create()) {
            EventFd.signalIfRoom(event.fd());
            EventFd.signalIfRoom(event.fd());
            assertEquals(2, event.readNow());
        }
    }

    @Test
    void aFullNonBlockingEventfdRefusesWithEagainAndKeepsItsCount() throws Exception {
        try (EventFd event = EventFd.create()) {
            event.signal(FULL);
            TransportException refused = assertThrows(TransportException.class, () -> EventFd.signalIfRoom(event.fd()));
            assertEquals(Errno.EAGAIN, refused.errno());
            assertEquals(FULL, event.readNow());
        }
    }

    @Test
    void aFullBlockingEventfdRefusesWithEagainInsteadOfWaiting() throws Exception {
        int fd = Native.libc().eventfd(0, 0x80000);   // EFD_CLOEXEC only: a blocking eventfd, as a client may own
        assertTrue(fd >= 0, "eventfd failed: " + Native.describe(Native.lastErrno()));
        ExecutorService signaller = Executors.newSingleThreadExecutor();
        try {
            EventFd.signal(fd, FULL);
            // on the other thread so that a regression shows up as a failure, not a hung build
            Future<TransportException> refused = signaller.submit(
                    () -> assertThrows(TransportException.class, () -> EventFd.signalIfRoom(fd)));
            assertEquals(Errno.EAGAIN, refused.get(30, TimeUnit.SECONDS).errno());
        } finally {
            signaller.shutdownNow();
            FileDescriptors.close(fd);
        }
    }

    @Test
    void aBlockingEventfdWithRoomIsSignalled() throws Exception {
        int fd = Native.libc().eventfd(0, 0x80000);
        assertTrue(fd >= 0);
        try {
            EventFd.signalIfRoom(fd);
            EventFd.signalIfRoom(fd);
            NativeBlock value = new NativeBlock(8);
            try {
                assertEquals(8, Native.libc().read(fd, value.pointer, 8));
                assertEquals(2, value.bytes.getLong(0));
            } finally {
                value.free();
            }
        } finally {
            FileDescriptors.close(fd);
        }
    }

    @Test
    void signalIfRoomOnAClosedFdReportsEbadf() throws Exception {
        EventFd event = EventFd.create();
        int fd = event.fd();
        event.close();
        TransportException refused = assertThrows(TransportException.class, () -> EventFd.signalIfRoom(fd));
        assertEquals(Errno.EBADF, refused.errno());
    }
}
