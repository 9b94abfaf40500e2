package dev.vfiosim.server.fault;

import dev.vfiosim.server.transport.ListenerClosedException;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.server.transport.UnixSocketListener;
import dev.vfiosim.simulator.fault.FaultInjector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket behind {@code vfio-sim serve --fault-control PATH}: a UNIX socket (mode 0600, made by
 * the same listener as the device's) where one client at a time sends {@link FaultControl} command
 * lines and reads each reply. One thread serves it; the device's own threads never wait for it.
 */
public final class FaultControlSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultControlSocket.class);
    /** Commands are a word and a rule id: anything longer is not a command. */
    static final int MAX_LINE = 1024;
    private static final int[] NO_FDS = new int[0];

    private final UnixSocketListener listener;
    private final FaultControl control;
    private final Thread thread;
    private volatile MessageSocket client;

    private FaultControlSocket(UnixSocketListener listener, FaultControl control) {
        this.listener = listener;
        this.control = control;
        this.thread = new Thread(this::serve, "fault-control");
        this.thread.setDaemon(true);
    }

    /** Binds {@code path} and starts answering commands about {@code faults}. */
    public static FaultControlSocket open(Path path, FaultInjector faults) throws IOException {
        FaultControlSocket s = new FaultControlSocket(UnixSocketListener.bind(path), new FaultControl(faults));
        s.thread.start();
        LOG.info("fault control socket on {}", path);
        return s;
    }

    private void serve() {
        while (true) {
            try (MessageSocket c = listener.accept(0)) {
                client = c;
                converse(c);
            } catch (ListenerClosedException e) {
                return;
            } catch (IOException e) {
                LOG.warn("fault control connection failed: {}", e.getMessage());
            } finally {
                client = null;
            }
        }
    }

    /** Answers line after line until the client hangs up. */
    private void converse(MessageSocket c) throws IOException {
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            one.clear();
            if (!c.receive(one, null)) {
                if (line.size() > 0) {
                    reply(c, control.execute(line.toString(StandardCharsets.UTF_8)));
                }
                return;
            }
            byte b = one.get(0);
            if (b == '\n') {
                String command = line.toString(StandardCharsets.UTF_8);
                line.reset();
                LOG.info("fault control: {}", command.strip());
                reply(c, control.execute(command));
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

    /** Stops accepting, hangs up on the client, removes the socket file. */
    @Override
    public void close() {
        listener.close();
        MessageSocket c = client;
        if (c != null) {
            c.shutdown();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
