package dev.vfiosim.server.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The message path must not allocate per message; measured with the JVM's per-thread allocation counter. */
class SteadyStateAllocationTest {
    @Test
    void sendAndReceiveDoNotAllocatePerMessage() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "allocation counter unavailable");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        MessageSocket[] pair = MessageSocket.pair(4);
        try (EventFd event = EventFd.create()) {
            ByteBuffer header = ByteBuffer.allocateDirect(16);
            ByteBuffer body = ByteBuffer.allocate(64);   // heap: goes through the staging block
            ByteBuffer in = ByteBuffer.allocateDirect(80);
            ReceivedFds fds = new ReceivedFds(4);
            int[] one = {event.fd()};
            Runnable round = () -> {
                try {
                    pair[0].send(header.clear(), body.clear(), one, 1);
                    pair[1].receive(in.clear(), fds);
                    fds.closeAll();
                    EventFd.signal(event.fd(), 1);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            for (int i = 0; i < 20_000; i++) {
                round.run();
            }
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            int rounds = 10_000;
            for (int i = 0; i < rounds; i++) {
                round.run();
            }
            long perRound = (threads.getThreadAllocatedBytes(thread) - before) / rounds;
            assertTrue(perRound < 16, "allocated " + perRound + " bytes per message");
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }
}
