package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.transport.ReceivedFds;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A command read while another one waits for the device: a copy of its header and payload and the
 * fds that came with it, until the {@link CommandWorker} loads it into the session's execution
 * buffers. Only this rare path allocates.
 */
final class QueuedCommand {
    /** Makes the copy only once the worker has agreed to queue it. */
    interface Source {
        QueuedCommand take();
    }

    final ByteBuffer header;
    final ByteBuffer payload;
    final ReceivedFds fds;

    /** Copies {@code header} and {@code payload} (position to limit); {@code fds} is taken over as it is. */
    QueuedCommand(ByteBuffer header, ByteBuffer payload, ReceivedFds fds) {
        this.header = copy(header);
        this.payload = copy(payload);
        this.fds = fds;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        c.put(b.duplicate()).flip();
        return c;
    }

    /** Never run: the fds it carried are closed. */
    void discard() {
        fds.closeAll();
    }

    @Override
    public String toString() {
        return MessageHeader.describe(header);
    }
}
