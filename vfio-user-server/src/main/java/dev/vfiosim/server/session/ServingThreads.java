package dev.vfiosim.server.session;

import dev.vfiosim.server.transport.FdPoller;
import dev.vfiosim.server.transport.MessageDeadline;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.server.transport.ReceiveTimeoutException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads every device of the process shares to serve its clients (docs/connection.md, "Fixed
 * threads plus per-connection work"): one poller waiting on every listening socket and every idle
 * connection, the {@link SessionWorkers} that read and handle messages, and the threads of the
 * commands that have to wait for a device, which exist only while such a command runs. Made on
 * first use; the threads are daemons and live as long as the process.
 */
final class ServingThreads {
    private static final Logger LOG = LoggerFactory.getLogger(ServingThreads.class);
    /** How long a command thread with nothing to run stays for the next one. */
    private static final long COMMAND_THREAD_KEEP_SECONDS = 1;

    private static final class Shared {
        static final ServingThreads INSTANCE = new ServingThreads();
    }

    final SessionWorkers workers;
    final FdPoller poller;
    /** Where a connection's {@link CommandWorker} runs its commands: a thread only while one runs. */
    final ExecutorService commands;

    private ServingThreads() {
        FdPoller[] late = new FdPoller[1];
        this.workers = new SessionWorkers(() -> late[0].wake());
        this.poller = new FdPoller("vfio-user-poller", new FdPoller.Housekeeping() {
            @Override
            public int pollTimeoutMillis() {
                return workers.checkAfterMillis();
            }

            @Override
            public void afterWake() {
                workers.lookAfter();
            }
        });
        late[0] = poller;
        linkIdlePath();
        AtomicInteger names = new AtomicInteger();
        this.commands = new ThreadPoolExecutor(0, Integer.MAX_VALUE, COMMAND_THREAD_KEEP_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "vfio-user-commands-".concat(Integer.toString(names.incrementAndGet())));
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Goes once through what a connection's first idle turn meets: a receive that times out before
     * the first byte, whose exception message the JDK links method handles for on first use. Done
     * here, when the process starts serving, that one-time linking is not paid by the first
     * connection to go idle, on a worker, nor seen growing the heap of a serving process.
     */
    private static void linkIdlePath() {
        try {
            MessageSocket[] pair = MessageSocket.pair(0);
            try {
                pair[0].setReceiveTimeout(Duration.ofNanos(1000));
                pair[0].receive(ByteBuffer.allocateDirect(1), null, new MessageDeadline(Duration.ofSeconds(1)));
            } catch (ReceiveTimeoutException expected) {
                // what an idle turn sees
            } finally {
                pair[0].close();
                pair[1].close();
            }
        } catch (IOException e) {
            LOG.debug("could not go through the idle path ahead: {}", e.getMessage());
        }
    }

    static ServingThreads shared() {
        return Shared.INSTANCE;
    }
}
