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
}
