package dev.vfiosim.server.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread waiting in poll(2) on many fds for the whole process: the listening sockets of every
 * device and every connection that has gone idle. When an fd becomes ready its {@link Ready} runs on
 * this thread, which must therefore only do short work (accept a client, hand a connection to a
 * worker). A one-shot watch ({@link #watchOnce}) is dropped before its callback runs: the
 * connection is then its worker's again, and it is never polled while a worker reads it.
 *
 * <pre>
 * struct pollfd (8 bytes): 0 int fd, 4 short events, 6 short revents
 * </pre>
 */
public final class FdPoller {
    private static final Logger LOG = LoggerFactory.getLogger(FdPoller.class);
    private static final int POLLFD = 8;

    /** What runs on the poller's thread when a watched fd is ready; {@code revents} as poll(2) gave them. */
    public interface Ready {
        void ready(short revents);
    }

    /** Asked once per wake-up: how long the next poll may sleep, and what to look after meanwhile. */
    public interface Housekeeping {
        /** The next poll's timeout in milliseconds, -1 for none. */
        int pollTimeoutMillis();

        void afterWake();
    }

    /** A watched fd, until {@link #cancel}; a one-shot watch is cancelled by its first readiness. */
    public record Watch(int fd, Ready ready, boolean once, AtomicBoolean cancelled) {
    }

    private final EventFd wakeup;
    private final Housekeeping housekeeping;
    private final ConcurrentLinkedQueue<Watch> added = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    /** Poll rounds completed; cancel() waits for the round it interrupted (guarded by this). */
    private long rounds;

    public FdPoller(String name, Housekeeping housekeeping) {
        try {
            this.wakeup = EventFd.create();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the poller's wake-up eventfd", e);
        }
        this.housekeeping = housekeeping;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches {@code fd} for input until cancelled: a listening socket. */
    public Watch watch(int fd, Ready ready) {
        return add(new Watch(fd, ready, false, new AtomicBoolean()));
    }

    /** Watches {@code fd} until it is first ready, then forgets it and runs {@code ready}. */
    public void watchOnce(int fd, Ready ready) {
        add(new Watch(fd, ready, true, new AtomicBoolean()));
    }

    private Watch add(Watch watch) {
        added.add(watch);
        wake();
        return watch;
    }

    /** Makes the poll in progress return, so that the next one sees what changed. */
    public void wake() {
        try {
            wakeup.signal(1);
        } catch (IOException e) {
            LOG.error("cannot wake the poller: {}", e.getMessage());
        }
    }

    /**
     * Stops watching: once this returns the fd is not polled any more and its callback is not
     * running, so the caller may close it.
     */
    public void cancel(Watch watch) {
        watch.cancelled.set(true);
        if (Thread.currentThread() == thread) {
            return;   // the loop drops it before its next poll
        }
        synchronized (this) {
            long target = rounds + 1;
            wake();
            boolean interrupted = false;
            while (rounds < target) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        List<Watch> watched = new ArrayList<>();
        List<Watch> polled = new ArrayList<>();
        NativeBlock pollfds = new NativeBlock(POLLFD * 64);
        while (true) {
            for (Watch w; (w = added.poll()) != null; ) {
                watched.add(w);
            }
            watched.removeIf(w -> w.cancelled.get());
            int count = watched.size() + 1;
            if (pollfds.size < count * POLLFD) {
                pollfds.free();
                pollfds = new NativeBlock(2 * count * POLLFD);
            }
            put(pollfds, 0, wakeup.fd());
            polled.clear();
            polled.addAll(watched);
            for (int i = 0; i < polled.size(); i++) {
                put(pollfds, i + 1, polled.get(i).fd);
            }
            int ready = Native.libc().poll(pollfds.pointer, count, housekeeping.pollTimeoutMillis());
            if (ready < 0 && Native.lastErrno() != Errno.EINTR) {
                LOG.error("poll over {} fds failed: {}", count, Native.describe(Native.lastErrno()));
            }
            if (ready > 0) {
                if (pollfds.bytes.getShort(6) != 0) {
                    drainWakeup();
                }
                for (int i = 0; i < polled.size(); i++) {
                    short revents = pollfds.bytes.getShort((i + 1) * POLLFD + 6);
                    Watch w = polled.get(i);
                    if (revents == 0 || w.cancelled.get()) {
                        continue;
                    }
                    if (w.once) {
                        w.cancelled.set(true);
                    }
                    try {
                        w.ready.ready(revents);
                    } catch (RuntimeException e) {
                        LOG.error("handling fd {} became ready failed", w.fd, e);
                    }
                }
            }
            housekeeping.afterWake();
            synchronized (this) {
                rounds++;
                notifyAll();
            }
        }
    }

    private static void put(NativeBlock pollfds, int index, int fd) {
        int at = index * POLLFD;
        pollfds.bytes.putInt(at, fd);
        pollfds.bytes.putShort(at + 4, FdReadiness.POLLIN);
        pollfds.bytes.putShort(at + 6, (short) 0);
    }

    private void drainWakeup() {
        try {
            wakeup.readNow();
        } catch (IOException e) {
            LOG.error("cannot read the poller's wake-up eventfd: {}", e.getMessage());
        }
    }
}
