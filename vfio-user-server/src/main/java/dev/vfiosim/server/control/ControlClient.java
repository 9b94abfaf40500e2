package dev.vfiosim.server.control;

import dev.vfiosim.server.transport.MessageSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The client side of the control socket ({@code vfio-sim ctl PATH CMD}): sends one command line
 * and reads its reply up to the terminating empty line, so that no socat is needed.
 */
public final class ControlClient {
    private ControlClient() {
    }

    /** The reply to {@code line}, terminating empty line included; waits at most {@code timeout} for each byte. */
    public static String ask(Path socket, String line, Duration timeout) throws IOException {
        try (MessageSocket c = MessageSocket.connect(socket, 0)) {
            c.setReceiveTimeout(timeout);
            byte[] bytes = (line.strip() + "\n").getBytes(StandardCharsets.UTF_8);
            c.send(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(), null, new int[0], 0);
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            byte last = 0;
            while (true) {
                one.clear();
                if (!c.receive(one, null)) {
                    break;   // the server hung up: whatever came is the reply
                }
                byte b = one.get(0);
                reply.write(b);
                if (b == '\n' && last == '\n') {
                    break;
                }
                last = b;
            }
            return reply.toString(StandardCharsets.UTF_8);
        }
    }
}
