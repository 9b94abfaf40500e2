package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.transport.FdPoller;
import dev.vfiosim.server.transport.ListenerClosedException;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.server.transport.ReceivedFds;
import dev.vfiosim.server.transport.UnixSocketListener;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.fault.FaultInjector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one device on one listening socket, to one client at a time (a device has one VMM). A
 * client that connects while another is attached is answered EBUSY on its first message and
 * disconnected, unless the attached one has already hung up: then the newcomer is admitted as soon
 * as that session has wound down (bounded, no fixed wait). The device and its state outlive
 * connections, as a real function outlives its VMM process.
 */
public final class VfioUserServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VfioUserServer.class);
    /** How long a refused client gets to send its first header before we just hang up. */
    private static final Duration REFUSAL_WAIT = Duration.ofSeconds(2);
    /**
     * Upper bound on waiting for a session whose client has hung up to finish its teardown (which is
     * itself bounded at about a second) before the newcomer is admitted.
     */
    private static final Duration TEARDOWN_WAIT = Duration.ofSeconds(3);
    /**
     * Newcomers judged at once while a client is attached, each on its own short-lived thread (at most
     * {@code REFUSAL_WAIT} + {@code TEARDOWN_WAIT}); any more are closed at once, so a client that
     * connects in a loop cannot make threads grow.
     */
    public static final int MAX_PENDING_ADMISSIONS = 4;
    /**
     * How long a connection keeps its worker waiting in recvmsg for the next message before it goes
     * back to the poller: long enough that a client in a request/reply loop never pays a hand-off
     * per message, short enough that an idle connection gives its worker back at once.
     */
    static final Duration LINGER = Duration.ofMillis(2);
    private static final long LINGER_NANOS = LINGER.toNanos();
    private static final long CLOSE_WAIT_MILLIS = 5000;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final short POLLNVAL = 0x20;

    private final UnixSocketListener listener;
    private final VfioDevice device;
    private final ServerLimits limits;
    private final IrqRestorePolicy irqRestore;
    private final FaultInjector faults;
    private final ServingThreads threads = ServingThreads.shared();
    private FdPoller.Watch accepting;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch firstClientGone = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    /** Newcomers being judged on an admission thread now, and those closed at once for want of one. */
    private final AtomicInteger admissionsPending = new AtomicInteger();
    private final AtomicLong cutAtOnce = new AtomicLong();
    private volatile Attachment active;
    private volatile boolean closing;
    private volatile Duration messageTimeout = Session.DEFAULT_MESSAGE_TIMEOUT;
    private volatile MessageObserver observer;
    private volatile AuditHook audit;
    /** Prefix of this server's thread and client names: empty, or "NAME/" for one of several devices. */
    private volatile String label = "";

    public VfioUserServer(UnixSocketListener listener, VfioDevice device, ServerLimits limits) {
        this(listener, device, limits, IrqRestorePolicy.ANY);
    }

    public VfioUserServer(UnixSocketListener listener, VfioDevice device, ServerLimits limits,
            IrqRestorePolicy irqRestore) {
        this(listener, device, limits, irqRestore, FaultInjector.NONE);
    }

    /** With a fault plan: one injector for the device, so its counts and arming outlive each client. */
    public VfioUserServer(UnixSocketListener listener, VfioDevice device, ServerLimits limits,
            IrqRestorePolicy irqRestore, FaultInjector faults) {
        this.irqRestore = irqRestore;
        this.faults = faults;
        device.injectFaults(faults);
        this.listener = listener;
        this.device = device;
        this.limits = limits;
    }

    /** How long a message that has begun may take to arrive in full; set before {@link #start()}. */
    public VfioUserServer messageTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("message timeout must be positive: " + timeout);
        }
        this.messageTimeout = timeout;
        return this;
    }

    /**
     * Names this server's device (one of several in a process): its threads and client names in the
     * logs begin with {@code name/}. Set before {@link #start()}.
     */
    public VfioUserServer named(String name) {
        this.label = name + "/";
        return this;
    }

    /** Who sees every message of every session (trace, metrics; {@code null} for none); set before {@link #start()}. */
    public VfioUserServer observe(MessageObserver observer) {
        this.observer = observer;
        return this;
    }

    /** Who referees each session's migration contract ({@code null} for nobody); set before {@link #start()}. */
    public VfioUserServer audit(AuditHook hook) {
        this.audit = hook;
        return this;
    }

    /** The referee set with {@link #audit}, or {@code null}. */
    public AuditHook audit() {
        return audit;
    }

    /** The client attached now, or {@code null}. */
    public Session activeSession() {
        Attachment a = active;
        return a != null && a.attached() ? a.session : null;
    }

    /** Starts accepting: the process's poller watches the listening socket from now on. */
    public synchronized VfioUserServer start() {
        if (!closing && accepting == null) {
            accepting = threads.poller.watch(listener.fd(), this::acceptReady);
        }
        LOG.info("serving {} on {}", device, socketDescription());
        return this;
    }

    /** The socket's path, or "an inherited fd". */
    public String socketDescription() {
        return listener.path().map(Object::toString).orElse("an inherited fd");
    }

    /** On the poller: takes every queued client; a listener that fails is no longer watched. */
    private void acceptReady(short revents) {
        if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
            LOG.error("{}: the listening socket failed (poll revents 0x{}); no more clients are accepted", label,
                    Integer.toHexString(revents & 0xffff));
            stopAccepting();
            return;
        }
        while (!closing) {
            MessageSocket socket;
            try {
                socket = listener.acceptNow(limits.maxMsgFds());
            } catch (ListenerClosedException e) {
                stopAccepting();
                return;
            } catch (IOException e) {
                LOG.warn("accept failed: {}", e.getMessage());
                return;
            }
            if (socket == null) {
                return;
            }
            int n = connections.incrementAndGet();
            if (!tryAttach(socket, n)) {
                admitLater(socket, n);
            }
        }
    }

    /** The listener is no longer watched (closed or failed): {@link #awaitStop()} returns. */
    private void stopAccepting() {
        FdPoller.Watch watch;
        synchronized (this) {
            watch = accepting;
            accepting = null;
        }
        if (watch != null) {
            threads.poller.cancel(watch);
        }
        stopped.countDown();
    }

    /** Makes {@code socket} the attached client if nobody is attached; false if someone is. */
    private synchronized boolean tryAttach(MessageSocket socket, int n) {
        Attachment current = active;
        if (closing || (current != null && current.attached())) {
            return false;
        }
        Session session = new Session(socket, device, limits, irqRestore, faults, observer, label + "client#" + n);
        session.messageTimeout(messageTimeout);
        session.audit(audit);
        Attachment attachment = new Attachment(session);
        active = attachment;
        LOG.info("{}client#{} attached", label, n);
        threads.workers.submit(attachment);
        return true;
    }

    /**
     * The attached client's connection, served in turns on the process's session workers: a turn
     * reads and handles messages while they come; when none comes for {@link #LINGER} (or at once,
     * for a sparse client) the connection waits in the poller without a thread, and its next
     * message starts the next turn.
     */
    private final class Attachment implements Runnable {
        final Session session;
        private final CountDownLatch ended = new CountDownLatch(1);
        private final FdPoller.Ready readable = revents -> {
            idle = false;
            threads.workers.submit(this);
        };
        private boolean begun;
        /**
         * Whether the next turn lingers: a client that spoke again within {@link #LINGER} of going
         * idle is in a request/reply loop and keeps its worker between messages; one that was silent
         * longer (steady but sparse traffic) is served a message at a time and goes straight back
         * to the poller, so it never holds a worker waiting.
         */
        private boolean dense = true;
        private long idleSince;
        /** Waiting in the poller for the client's next message, with no thread. */
        private volatile boolean idle;

        Attachment(Session session) {
            this.session = session;
        }

        boolean attached() {
            return ended.getCount() > 0;
        }

        boolean awaitEnd(long millis) throws InterruptedException {
            return ended.await(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void run() {
            Session.Turn turn = Session.Turn.ENDED;
            try {
                if (!begun) {
                    begun = true;
                    session.lingerFor(LINGER);
                    session.begin();
                }
                if (idleSince != 0) {
                    dense = System.nanoTime() - idleSince < LINGER_NANOS;
                    idleSince = 0;
                }
                turn = session.serve(threads.workers::othersWaiting, dense);
            } catch (IOException e) {
                LOG.warn("{}: cannot serve the connection: {}", socketDescription(), e.getMessage());
            } finally {
                if (turn == Session.Turn.IDLE) {
                    idleSince = System.nanoTime();
                    idle = true;
                    threads.poller.watchOnce(session.socketFd(), readable);
                } else if (turn == Session.Turn.YIELD) {
                    threads.workers.submit(this);
                } else {
                    session.close();
                    ended.countDown();
                    firstClientGone.countDown();
                }
            }
        }
    }

    /**
     * A client arrived while another is attached. A VMM that reconnects right after closing often
     * beats the old session to noticing the hang-up, so the newcomer is judged when its first message
     * arrives (or after {@link #REFUSAL_WAIT}): if the attached client has hung up by then, its
     * session is waited for and the newcomer admitted; if it is still there, the newcomer is refused.
     */
    private void admitLater(MessageSocket socket, int n) {
        if (admissionsPending.incrementAndGet() > MAX_PENDING_ADMISSIONS) {
            // a client opening connections in a loop must not buy a thread with each one
            admissionsPending.decrementAndGet();
            int turnedAway = refused.incrementAndGet();
            long cut = cutAtOnce.incrementAndGet();
            if (Long.bitCount(cut) == 1) {   // log the 1st, 2nd, 4th, 8th... only
                LOG.warn("{}client#{} closed at once: another client is attached and {} newcomers already wait to be"
                        + " judged ({} closed this way so far, {} refused in all)", label, n, MAX_PENDING_ADMISSIONS, cut,
                        turnedAway);
            }
            socket.close();
            return;
        }
        Thread t = new Thread(() -> {
            try {
                judge(socket, n);
            } finally {
                admissionsPending.decrementAndGet();
            }
        }, "vfio-user-admission-" + label + n);
        t.setDaemon(true);
        t.start();
    }

    /** On an admission thread: attaches the newcomer if the attached client has gone, else refuses it with EBUSY. */
    private void judge(MessageSocket socket, int n) {
        try {
            socket.awaitReadable(REFUSAL_WAIT);
            Attachment current = active;
            if (current != null && current.attached() && current.session.clientHungUp()) {
                current.awaitEnd(TEARDOWN_WAIT.toMillis());
            }
            if (tryAttach(socket, n)) {
                return;
            }
        } catch (IOException e) {
            LOG.debug("client#{}: gone before admission: {}", n, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        refused.incrementAndGet();
        LOG.warn("{}client#{} refused: another client is attached to this device", label, n);
        answerBusy(socket, n);
    }

    private void answerBusy(MessageSocket socket, int n) {
        ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ReceivedFds fds = new ReceivedFds(limits.maxMsgFds());
        try (socket) {
            socket.setReceiveTimeout(REFUSAL_WAIT);
            if (socket.receive(header, fds)) {
                header.flip();
                int msgId = MessageHeader.msgId(header);
                int cmd = MessageHeader.command(header);
                MessageHeader.write(header, msgId, cmd, MessageHeader.SIZE,
                        MessageHeader.TYPE_REPLY | MessageHeader.ERROR, Errno.EBUSY.code());
                socket.send(header, null, new int[0], 0);
            }
        } catch (IOException e) {
            LOG.debug("client#{}: refusal not delivered: {}", n, e.getMessage());
        } finally {
            fds.closeAll();
        }
    }

    /** The fault injector every session of this server consults ({@link FaultInjector#NONE} without a plan). */
    public FaultInjector faults() {
        return faults;
    }

    /** Connections accepted so far, refused ones included. */
    public int connectionsAccepted() {
        return connections.get();
    }

    public int connectionsRefused() {
        return refused.get();
    }

    /**
     * Whether a client is attached and idle: its connection waits in the process's poller for the
     * next message and holds no thread.
     */
    public boolean clientIdle() {
        Attachment a = active;
        return a != null && a.attached() && a.idle;
    }

    /**
     * The threads every server of the process shares however many devices and clients it has: the
     * poller and the fixed session workers (as many as CPUs, at least 2). Spares and command
     * threads come on top only while a connection is stuck or a command waits for its device.
     */
    public static int sharedThreads() {
        return 1 + SessionWorkers.FIXED;
    }

    /** Whether a client is attached right now. */
    public boolean clientAttached() {
        Attachment a = active;
        return a != null && a.attached();
    }

    /**
     * Waits at most {@code bound} for the attached client's session to end (its thread joined, its
     * fds released); true if no client is attached when it returns.
     */
    public boolean awaitDetached(Duration bound) throws InterruptedException {
        Attachment a = active;
        if (a != null) {
            a.awaitEnd(Math.max(1, bound.toMillis()));
        }
        return !clientAttached();
    }

    /**
     * Blocks until the first client attached has gone and its session is torn down (its fds
     * released): what {@code serve --once} waits for, as libvfio-user's servers serve one client.
     */
    public void awaitFirstClientGone() throws InterruptedException {
        firstClientGone.await();
    }

    /** Blocks until {@link #close()} has stopped the server. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops accepting, disconnects the client, waits (boundedly) for its teardown, removes the socket file. */
    @Override
    public void close() {
        closing = true;
        stopAccepting();
        listener.close();
        Attachment a = active;
        if (a != null) {
            a.session.disconnect();
            try {
                a.awaitEnd(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
