package dev.vfiosim.server.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.DmaTransfer;
import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.session.MessageFields;
import dev.vfiosim.server.session.MessageObserver;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.fault.FiredFault;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --trace=FILE}: one JSON object per line for every message in either direction and
 * every device event the server sees. A message line has {@code time}, {@code dir} ({@code in} from
 * the client, {@code out} to it), {@code msgId}, {@code command}, {@code flags}, {@code size},
 * {@code fds} and {@code fields} (decoded by {@link MessageFields}); a reply adds {@code errno}
 * (0 on success) and {@code serviceUs}. An event line has {@code event} instead of {@code dir}:
 * {@code interrupt}, {@code migration-arc}, {@code fault}.
 *
 * <p>Writes are serialised (reader, worker and device threads all report) and flushed per line, so
 * a trace of a server that is killed stays readable up to its last message.
 */
public final class JsonLinesTrace implements MessageObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesTrace.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream out;
    private final boolean closeStream;
    private volatile IntSupplier migrationState;
    // a MIG_DEVICE_STATE SET in flight: the state it leaves, the one it asks (one command at a time per session)
    private int arcFrom = -1;
    private int arcTo = -1;
    private boolean broken;

    /**
     * @param migrationState the device's migration state now ({@code null} if it cannot migrate),
     *     read when a state change arrives so that the arc can name where it started
     */
    public JsonLinesTrace(OutputStream out, boolean closeStream, IntSupplier migrationState) {
        this.out = out;
        this.closeStream = closeStream;
        this.migrationState = migrationState;
    }

    /** Names arcs from the device's state once the device exists (the trace file is opened before it). */
    public JsonLinesTrace withMigrationState(IntSupplier state) {
        this.migrationState = state;
        return this;
    }

    @Override
    public void command(ByteBuffer header, ByteBuffer payload, int fdCount) {
        Map<String, Object> line = message("in", header, fdCount);
        Map<String, Object> fields = MessageFields.command(MessageHeader.command(header), payload, fdCount);
        line.put("fields", fields);
        noteArc(header, payload, fields);
        write(line);
    }

    @Override
    public void reply(ByteBuffer header, ByteBuffer body, int fdCount, long serviceNanos) {
        Map<String, Object> line = message("out", header, fdCount);
        boolean error = MessageHeader.isError(header);
        line.put("errno", error ? MessageHeader.errorNo(header) : 0);
        if (error) {
            line.put("error", errnoName(MessageHeader.errorNo(header)));
        }
        line.put("serviceUs", serviceNanos / 1000);
        line.put("fields", error ? Map.of() : MessageFields.reply(MessageHeader.command(header), body));
        write(line);
        arcDone(!error);
    }

    @Override
    public void noReply(ByteBuffer commandHeader, int errno, long serviceNanos) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("event", "no-reply-done");
        line.put("msgId", MessageHeader.msgId(commandHeader));
        line.put("command", commandName(MessageHeader.command(commandHeader)));
        line.put("errno", errno);
        line.put("serviceUs", serviceNanos / 1000);
        write(line);
        arcDone(errno == 0);
    }

    @Override
    public void clientReply(ByteBuffer header, ByteBuffer payload, int fdCount) {
        Map<String, Object> line = message("in", header, fdCount);
        line.put("errno", MessageHeader.isError(header) ? MessageHeader.errorNo(header) : 0);
        line.put("fields", Map.of("payloadBytes", payload.remaining()));
        write(line);
    }

    @Override
    public void serverRequest(ByteBuffer header, ByteBuffer body, DmaTransfer layout) {
        Map<String, Object> line = message("out", header, 0);
        Map<String, Object> fields = new LinkedHashMap<>();
        if (body.remaining() >= layout.size()) {
            ByteBuffer p = body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            fields.put("address", layout.address(p));
            fields.put("count", layout.count(p));
        }
        fields.put("layout", layout.name());
        line.put("fields", fields);
        write(line);
    }

    @Override
    public void interrupt(String type, int vector, boolean delivered) {
        Map<String, Object> line = event("interrupt");
        line.put("irq", type);
        line.put("vector", vector);
        line.put("outcome", delivered ? "raised" : "dropped (no eventfd wired)");
        write(line);
    }

    @Override
    public void interruptHeld(String type, int vector) {
        Map<String, Object> line = event("interrupt");
        line.put("irq", type);
        line.put("vector", vector);
        line.put("outcome", "held (masked or device stopped)");
        write(line);
    }

    @Override
    public void dmaFault(long iova, long length, boolean write, String why) {
        Map<String, Object> line = event("dma-fault");
        line.put("address", iova);
        line.put("count", length);
        line.put("direction", write ? "write" : "read");
        line.put("why", why);
        write(line);
    }

    /** A fault of the plan fired (registered with the server's {@code FaultInjector}). */
    public void faultFired(FiredFault fault) {
        Map<String, Object> line = event("fault");
        line.put("sequence", fault.sequence());
        line.put("rule", fault.ruleId());
        line.put("hit", fault.event().describe());
        line.put("action", fault.action().describe());
        write(line);
    }

    private synchronized void noteArc(ByteBuffer header, ByteBuffer payload, Map<String, Object> fields) {
        arcFrom = -1;
        if (migrationState == null || MessageHeader.command(header) != Command.DEVICE_FEATURE.code()
                || payload.remaining() < DeviceFeature.SIZE + 4) {
            return;
        }
        ByteBuffer p = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int flags = p.getInt(p.position() + 4);
        if ((flags & DeviceFeature.INDEX_MASK) == DeviceFeature.MIG_DEVICE_STATE && (flags & DeviceFeature.SET) != 0
                && (flags & DeviceFeature.PROBE) == 0) {
            arcFrom = migrationState.getAsInt();
            arcTo = p.getInt(p.position() + DeviceFeature.SIZE);
        }
    }

    private synchronized void arcDone(boolean succeeded) {
        if (arcFrom < 0) {
            return;
        }
        Map<String, Object> line = event("migration-arc");
        line.put("from", stateName(arcFrom));
        line.put("to", stateName(arcTo));
        line.put("outcome", succeeded ? "done" : "refused");
        if (!succeeded && migrationState != null) {
            line.put("now", stateName(migrationState.getAsInt()));
        }
        arcFrom = -1;
        write(line);
    }

    private static Object stateName(int value) {
        try {
            return dev.vfiosim.simulator.migration.MigrationState.ofValue(value).name();
        } catch (RuntimeException unknown) {
            return value;
        }
    }

    private static Map<String, Object> message(String direction, ByteBuffer header, int fdCount) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("dir", direction);
        line.put("msgId", MessageHeader.msgId(header));
        line.put("command", commandName(MessageHeader.command(header)));
        line.put("flags", MessageHeader.flags(header));
        line.put("size", MessageHeader.messageSize(header));
        line.put("fds", fdCount);
        return line;
    }

    private static Map<String, Object> event(String what) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("event", what);
        return line;
    }

    private static String commandName(int cmd) {
        Command c = Command.ofCode(cmd);
        return c == null ? "#" + cmd : c.name();
    }

    private static String errnoName(int code) {
        for (Errno e : Errno.values()) {
            if (e.code() == code) {
                return e.name();
            }
        }
        return Integer.toString(code);
    }

    private synchronized void write(Map<String, Object> line) {
        if (broken) {
            return;
        }
        try {
            out.write(JSON.writeValueAsBytes(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            // a full disk or a closed pipe ends the trace, never the device's service
            broken = true;
            LOG.warn("trace stopped: {}", e.toString());
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.flush();
        if (closeStream) {
            out.close();
        }
    }
}
