package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.protocol.RegionAccess;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.fault.FaultAction.CloseConnection;
import dev.vfiosim.simulator.fault.FaultAction.Delay;
import dev.vfiosim.simulator.fault.FaultAction.ReplyErrno;
import dev.vfiosim.simulator.fault.FaultEvent.CommandEvent;
import dev.vfiosim.simulator.fault.FaultEvent.ConnectionEvent;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FiredFault;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faults of the {@code connection} and {@code command} sites, for one session: asked once per
 * command received, before it is handled, and again when its reply goes out. A delay holds the
 * command back; a plain close drops it unanswered; an errno replaces the command's work; a torn
 * close lets the command run and sends only part of its reply.
 *
 * <p>Only the client's commands count as messages here (not its replies to our DMA requests), so
 * that "the 10th message" is the same message whatever the device's DMA timing.
 */
final class MessageFaults {
    private static final Logger LOG = LoggerFactory.getLogger(MessageFaults.class);

    /** Ends the session: a fault closed the connection. */
    static final class ConnectionClosedByFault extends IOException {
        ConnectionClosedByFault(FiredFault fault) {
            super("closed by fault rule " + fault.ruleId() + " (" + fault.action().describe() + ")");
        }
    }

    private final FaultInjector faults;
    private final MessageSocket socket;
    private final String name;
    private long commands;
    /** A torn close waiting for the current command's reply, null almost always. */
    private FiredFault tornReply;

    MessageFaults(FaultInjector faults, MessageSocket socket, String name) {
        this.faults = faults;
        this.socket = socket;
        this.name = name;
    }

    /**
     * Consults the plan about a command just received (its payload is read, not yet checked). Carries
     * out delays and plain closes at once; returns the errno to answer instead of executing, or null.
     */
    Errno beforeCommand(int cmd, boolean noReply, ByteBuffer payload) throws IOException {
        commands++;
        tornReply = null;
        if (!faults.active()) {
            return null;
        }
        Errno errno = null;
        Command command = Command.ofCode(cmd);
        // both sites are always asked, so each rule counts every event it matches
        Optional<FiredFault> onConnection = faults.check(new ConnectionEvent(commands));
        Optional<FiredFault> onCommand = command == null ? Optional.empty() : faults.check(event(command, payload));
        for (Optional<FiredFault> fired : List.of(onConnection, onCommand)) {
            if (fired.isEmpty()) {
                continue;
            }
            FiredFault f = fired.get();
            if (f.action() instanceof Delay d) {
                d.hold();
            } else if (f.action() instanceof ReplyErrno r) {
                errno = r.errno();
            } else if (f.action() instanceof CloseConnection c) {
                if (c.midMessage() && !noReply) {
                    tornReply = f;
                } else {
                    close(f);
                }
            }
        }
        return errno;
    }

    /** Whether a torn close fired on the current command: its reply must go through {@link #send}. */
    boolean tearsReply() {
        return tornReply != null;
    }

    /** Sends a reply, unless a torn close fired on its command: then part of it goes out and the connection closes. */
    void send(ByteBuffer header, ByteBuffer body, int[] fds, int fdCount) throws IOException {
        FiredFault torn = tornReply;
        if (torn == null) {
            socket.send(header, body, fds, fdCount);
            return;
        }
        tornReply = null;
        // the header and half the payload, or half the header when there is no payload to cut;
        // no fds: the client would have to close fds that rode on a message it never finishes
        int bodySize = body == null ? 0 : body.remaining();
        if (bodySize >= 2) {
            socket.send(header, body.slice(body.position(), bodySize / 2), fds, 0);
        } else {
            socket.send(header.slice(header.position(), MessageHeader.SIZE / 2), null, fds, 0);
        }
        close(torn);
    }

    private void close(FiredFault fault) throws IOException {
        LOG.info("{}: closing the connection at command #{}: fault rule {}", name, commands, fault.ruleId());
        socket.shutdown();
        throw new ConnectionClosedByFault(fault);
    }

    /**
     * What a command site sees of a command: its region access, feature or irq index, read where the
     * payload has them. The payload is not yet checked; a short one just yields a plainer event, and
     * the handler refuses it as usual.
     */
    static CommandEvent event(Command command, ByteBuffer p) {
        int b = p.position();
        int size = p.remaining();
        return switch (command) {
            case REGION_READ, REGION_WRITE -> size >= RegionAccess.SIZE
                    ? CommandEvent.regionAccess(command.name(), RegionAccess.region(p), RegionAccess.offset(p),
                            RegionAccess.count(p))
                    : CommandEvent.of(command.name());
            case DEVICE_FEATURE -> size >= DeviceFeature.SIZE
                    ? CommandEvent.feature(p.getInt(b + 4) & DeviceFeature.INDEX_MASK)
                    : CommandEvent.of(command.name());
            // struct vfio_irq_info and vfio_irq_set both carry the index at byte 8
            case DEVICE_GET_IRQ_INFO, DEVICE_SET_IRQS -> size >= 12
                    ? CommandEvent.irqs(command.name(), p.getInt(b + 8))
                    : CommandEvent.of(command.name());
            default -> CommandEvent.of(command.name());
        };
    }
}
