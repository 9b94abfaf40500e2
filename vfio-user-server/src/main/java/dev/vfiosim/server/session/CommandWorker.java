package dev.vfiosim.server.session;

import java.time.Duration;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread a session hands a command to when the command may wait for the device (a migration
 * state change, a reset, an FLR), so that the session's reader goes on reading: the client's
 * replies to the device's DMA requests are what the device is waiting for. Commands that arrive
 * meanwhile queue here and run after it, in order (vfio-user is in-order per connection); once the
 * queue is empty the worker is idle and the reader handles commands itself again.
 *
 * <p>Ownership of the session's execution buffers follows {@link #busy()}: while busy they belong
 * to the worker, while idle to the reader. The volatile flag, written by the side that gives the
 * buffers up, is the hand-over.
 */
final class CommandWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandWorker.class);
    /** Commands a client may pipeline behind one that waits for the device before it is cut off. */
    static final int MAX_QUEUED = 64;

    /** What the worker runs: the command in the execution buffers, or a queued one loaded into them first. */
    interface Executor {
        void executeCurrent();

        void load(QueuedCommand command);
    }

    private final Executor executor;
    private final Thread thread;
    private final ArrayDeque<QueuedCommand> queue = new ArrayDeque<>();
    private volatile boolean busy;
    private boolean runCurrent;
    private boolean closed;

    CommandWorker(Executor executor, String name) {
        this.executor = executor;
        this.thread = new Thread(this::loop, name + "-commands");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** True while a command runs or waits here: the reader must not touch the execution buffers. */
    boolean busy() {
        return busy;
    }

    /** Runs the command now in the execution buffers; the caller (the reader, idle worker) gives them up. */
    synchronized void runCurrent() {
        if (busy) {
            throw new IllegalStateException("the worker is busy: the execution buffers are not the reader's");
        }
        busy = true;
        runCurrent = true;
        notifyAll();
    }

    /**
     * Queues {@code command} if the worker is busy. Returns false, queuing nothing, if it is idle:
     * the caller then owns the execution buffers again and runs the command itself.
     *
     * @throws QueueFullException if the client pipelined more than {@link #MAX_QUEUED} commands
     */
    synchronized boolean queueIfBusy(QueuedCommand.Source command) throws QueueFullException {
        if (!busy) {
            return false;
        }
        if (queue.size() >= MAX_QUEUED) {
            throw new QueueFullException();
        }
        queue.add(command.take());
        return true;
    }

    private void loop() {
        while (true) {
            synchronized (this) {
                while (!runCurrent && queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    return;
                }
            }
            run();
        }
    }

    /** Runs the current command, then every queued one; idle again once the queue is empty. */
    private void run() {
        while (true) {
            QueuedCommand next = null;
            synchronized (this) {
                if (!runCurrent) {
                    next = queue.poll();
                    if (next == null || closed) {
                        if (next != null) {
                            next.discard();
                        }
                        busy = false;
                        return;
                    }
                }
                runCurrent = false;
            }
            try {
                if (next != null) {
                    executor.load(next);
                }
                executor.executeCurrent();
            } catch (RuntimeException | Error e) {
                LOG.error("command worker: unexpected failure", e);
            }
        }
    }

    /**
     * The connection is over: queued commands are dropped (their fds closed), the running one is
     * waited for up to {@code bound}. Returns whether the worker is done.
     */
    boolean close(Duration bound) {
        synchronized (this) {
            closed = true;
            queue.forEach(QueuedCommand::discard);
            queue.clear();
            notifyAll();
        }
        try {
            thread.join(bound.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("{} still running a command after {} ms", thread.getName(), bound.toMillis());
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(1));
    }

    /** More commands pipelined behind a blocked one than a VMM would ever send. */
    static final class QueueFullException extends Exception {
        private static final long serialVersionUID = 1L;

        QueueFullException() {
            super("more than " + MAX_QUEUED + " commands pipelined behind one that waits for the device");
        }
    }
}
