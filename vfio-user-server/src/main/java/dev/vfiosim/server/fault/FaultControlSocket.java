package dev.vfiosim.server.fault;

import dev.vfiosim.server.transport.ListenerClosedException;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.server.transport.ReceiveTimeoutException;
import dev.vfiosim.server.transport.UnixSocketListener;
import dev.vfiosim.simulator.fault.FaultInjector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket behind {@code vfio-sim serve --fault-control PATH}: a UNIX socket (mode 0600, made by
 * the same listener as the device's) where clients send {@link FaultControl} command lines and read
 * each reply. Each client has its own thread, so one that connects and says nothing blocks nobody;
 * it is dropped after {@link #DEFAULT_IDLE_TIMEOUT} without a byte. At most {@link #MAX_CLIENTS} at
 * once. The device's own threads never wait for any of them.
 */
public final class FaultControlSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultControlSocket.class);
    /** Commands are a word and a rule id: anything longer is not a command. */
    static final int MAX_LINE = 1024;
    /** A control client silent for this long is hung up on. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    static final int MAX_CLIENTS = 8;
    private static final int[] NO_FDS = new int[0];

    private final UnixSocketListener listener;
    private final UnaryOperator<String> control;
    private final Duration idleTimeout;
    private final Thread thread;
    private final Set<MessageSocket> clients = ConcurrentHashMap.newKeySet();
    private final Set<Thread> conversations = ConcurrentHashMap.newKeySet();
    private final AtomicInteger served = new AtomicInteger();

    private FaultControlSocket(UnixSocketListener listener, UnaryOperator<String> control, Duration idleTimeout) {
        this.listener = listener;
        this.control = control;
        this.idleTimeout = idleTimeout;
        this.thread = new Thread(this::serve, "fault-control");
        this.thread.setDaemon(true);
    }

    /** Binds {@code path} and starts answering commands about {@code faults}. */
    public static FaultControlSocket open(Path path, FaultInjector faults) throws IOException {
        return open(path, faults, DEFAULT_IDLE_TIMEOUT);
    }

    /** ... dropping a client that sends nothing for {@code idleTimeout}. */
    public static FaultControlSocket open(Path path, FaultInjector faults, Duration idleTimeout) throws IOException {
        FaultControl control = new FaultControl(faults);
        return open(path, control::execute, idleTimeout);
    }

    /**
     * The same socket answering any line protocol with this framing: {@code serve --control} serves
     * its {@code status}/{@code metrics}/{@code faults} commands here.
     */
    public static FaultControlSocket open(Path path, UnaryOperator<String> commands, Duration idleTimeout)
            throws IOException {
        FaultControlSocket s = new FaultControlSocket(UnixSocketListener.bind(path), commands, idleTimeout);
        s.thread.start();
        LOG.info("control socket on {}", path);
        return s;
    }

    private void serve() {
        while (true) {
            MessageSocket c;
            try {
                c = listener.accept(0);
            } catch (ListenerClosedException e) {
                return;
            } catch (IOException e) {
                LOG.warn("fault control: accept failed: {}", e.getMessage());
                continue;
            }
            if (clients.size() >= MAX_CLIENTS) {
                try (c) {
                    reply(c, "error: " + MAX_CLIENTS + " control clients are connected already\n\n");
                } catch (IOException e) {
                    LOG.debug("fault control: refusal not delivered: {}", e.getMessage());
                }
                continue;
            }
            clients.add(c);
            int n = served.incrementAndGet();
            Thread t = new Thread(() -> converseAndClose(c), "fault-control-" + n);
            t.setDaemon(true);
            conversations.add(t);
            t.start();
        }
    }

    private void converseAndClose(MessageSocket c) {
        try (c) {
            c.setReceiveTimeout(idleTimeout);
            converse(c);
        } catch (ReceiveTimeoutException e) {
            LOG.info("fault control: dropped a client idle for {} ms", idleTimeout.toMillis());
        } catch (IOException e) {
            LOG.warn("fault control connection failed: {}", e.getMessage());
        } finally {
            clients.remove(c);
            conversations.remove(Thread.currentThread());
        }
    }

    /** Control clients served so far. */
    public int clientsServed() {
        return served.get();
    }

    /** Answers line after line until the client hangs up. */
    private void converse(MessageSocket c) throws IOException {
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            one.clear();
            if (!c.receive(one, null)) {
                if (line.size() > 0) {
                    reply(c, control.apply(line.toString(StandardCharsets.UTF_8)));
                }
                return;
            }
            byte b = one.get(0);
            if (b == '\n') {
                String command = line.toString(StandardCharsets.UTF_8);
                line.reset();
                LOG.info("fault control: {}", command.strip());
                reply(c, control.apply(command));
            } else if (line.size() == MAX_LINE) {
                reply(c, "error: a command is at most " + MAX_LINE + " bytes\n\n");
                return;
            } else {
                line.write(b);
            }
        }
    }

    private static void reply(MessageSocket c, String text) throws IOException {
        c.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), null, NO_FDS, 0);
    }

    /** Stops accepting, hangs up on every client, removes the socket file. */
    @Override
    public void close() {
        listener.close();
        clients.forEach(MessageSocket::shutdown);
        joinQuietly(thread);
        conversations.forEach(FaultControlSocket::joinQuietly);
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
