package dev.vfiosim.server.session;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a session hands a command that may wait for the device (a migration state change, a
 * reset, an FLR), to run on a thread of its own, so that the session's reader goes on reading: the client's
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
    private final java.util.concurrent.Executor threads;
    private final String name;
    private final ArrayDeque<QueuedCommand> queue = new ArrayDeque<>();
    private volatile boolean busy;
    private boolean runCurrent;
    private boolean closed;

    /**
     * Commands run on {@code threads} (shared by every connection of the process): a thread is taken
     * when a command arrives and given back once the queue behind it is empty, so an idle connection
     * holds none.
     */
    CommandWorker(Executor executor, java.util.concurrent.Executor threads, String name) {
        this.executor = executor;
        this.threads = threads;
        this.name = name + " commands";
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
        if (closed) {
            return;
        }
        busy = true;
        runCurrent = true;
        threads.execute(this::run);
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
                        notifyAll();
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
        long deadline = System.nanoTime() + bound.toNanos();
        synchronized (this) {
            closed = true;
            queue.forEach(QueuedCommand::discard);
            queue.clear();
            try {
                for (long left = bound.toNanos(); busy && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (busy) {
                LOG.warn("{}: still running a command after {} ms", name, bound.toMillis());
                return false;
            }
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
