package dev.vfiosim.server.session;

import dev.vfiosim.server.transport.FdPoller;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every device of the process shares to serve its clients (docs/connection.md, "Fixed
 * threads plus per-connection work"): one poller waiting on every listening socket and every idle
 * connection, the {@link SessionWorkers} that read and handle messages, and the threads of the
 * commands that have to wait for a device, which exist only while such a command runs. Made on
 * first use; the threads are daemons and live as long as the process.
 */
final class ServingThreads {
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
        AtomicInteger names = new AtomicInteger();
        this.commands = new ThreadPoolExecutor(0, Integer.MAX_VALUE, COMMAND_THREAD_KEEP_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "vfio-user-commands-" + names.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    static ServingThreads shared() {
        return Shared.INSTANCE;
    }
}
