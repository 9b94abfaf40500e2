package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.DeviceInfo;
import dev.vfiosim.server.protocol.DmaMap;
import dev.vfiosim.server.protocol.DmaUnmap;
import dev.vfiosim.server.protocol.IrqInfoMessage;
import dev.vfiosim.server.protocol.IrqSet;
import dev.vfiosim.server.protocol.MigrationData;
import dev.vfiosim.server.protocol.RegionAccess;
import dev.vfiosim.server.protocol.RegionInfoMessage;
import dev.vfiosim.server.protocol.RegionIoFds;
import dev.vfiosim.server.protocol.RegionWriteMulti;
import dev.vfiosim.server.protocol.VersionMessage;
import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.migration.MigrationState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoded fields of a message, for the trace: every field of the command or reply, named as the
 * protocol names them, never the data bytes (a REGION_WRITE shows its count, a MIG_DATA_READ reply
 * its size). Decoding goes through the protocol records, so each layout keeps one home; a payload a
 * record refuses is shown as {@code "malformed": why} — the trace then says what the server will say.
 *
 * <p>Only called with tracing on: it allocates freely. It never moves a buffer's position.
 */
public final class MessageFields {
    private MessageFields() {
    }

    /** The fields of a command's payload. */
    public static Map<String, Object> command(int cmd, ByteBuffer payload, int fdCount) {
        Map<String, Object> f = new LinkedHashMap<>();
        ByteBuffer p = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        try {
            decodeCommand(Command.ofCode(cmd), p, fdCount, f);
        } catch (DeviceException | IndexOutOfBoundsException e) {
            f.put("malformed", e.getMessage());
        }
        return f;
    }

    /** The fields of a successful reply's payload ({@code body} may be null: no payload). */
    public static Map<String, Object> reply(int cmd, ByteBuffer body) {
        Map<String, Object> f = new LinkedHashMap<>();
        if (body == null || !body.hasRemaining()) {
            return f;
        }
        ByteBuffer p = body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        try {
            decodeReply(Command.ofCode(cmd), p, f);
        } catch (DeviceException | IndexOutOfBoundsException e) {
            f.put("malformed", e.getMessage());
        }
        return f;
    }

    private static void decodeCommand(Command command, ByteBuffer p, int fdCount, Map<String, Object> f) {
        if (command == null) {
            return;
        }
        int b = p.position();
        switch (command) {
            case VERSION -> version(VersionMessage.decode(p), f);
            case DMA_MAP -> {
                DmaMap m = DmaMap.decode(p, fdCount);
                f.put("flags", m.flags());
                f.put("address", m.address());
                f.put("size", m.size());
                f.put("offset", m.offset());
                f.put("readable", m.readable());
                f.put("writable", m.writable());
            }
            case DMA_UNMAP -> {
                DmaUnmap u = DmaUnmap.decode(p);
                f.put("flags", u.flags());
                f.put("address", u.address());
                f.put("size", u.size());
                f.put("all", (u.flags() & DmaUnmap.FLAG_ALL) != 0);
            }
            case DEVICE_GET_INFO -> f.put("argsz", DeviceInfo.decode(p).argsz());
            case DEVICE_GET_REGION_INFO -> {
                RegionInfoMessage.Request r = RegionInfoMessage.decodeRequest(p);
                f.put("argsz", r.argsz());
                f.put("index", r.index());
            }
            case DEVICE_GET_REGION_IO_FDS -> {
                RegionIoFds r = RegionIoFds.decode(p);
                f.put("argsz", r.argsz());
                f.put("index", r.index());
            }
            case DEVICE_GET_IRQ_INFO -> f.put("index", IrqInfoMessage.decode(p).index());
            case DEVICE_SET_IRQS -> {
                IrqSet s = IrqSet.decode(p, fdCount);
                f.put("index", s.index());
                f.put("start", s.start());
                f.put("count", s.count());
                f.put("action", switch (s.action()) {
                    case IrqSet.ACTION_MASK -> "MASK";
                    case IrqSet.ACTION_UNMASK -> "UNMASK";
                    case IrqSet.ACTION_TRIGGER -> "TRIGGER";
                    default -> s.action();
                });
                f.put("data", switch (s.dataType()) {
                    case IrqSet.DATA_NONE -> "NONE";
                    case IrqSet.DATA_BOOL -> "BOOL";
                    case IrqSet.DATA_EVENTFD -> "EVENTFD";
                    default -> s.dataType();
                });
            }
            case REGION_READ, REGION_WRITE -> access(p, f);
            case REGION_WRITE_MULTI -> {
                int entries = RegionWriteMulti.entryCount(p);
                List<Map<String, Object>> list = new ArrayList<>();
                for (int i = 0; i < entries; i++) {
                    int at = RegionWriteMulti.entryPosition(p, i);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("offset", p.getLong(at));
                    e.put("region", p.getInt(at + 8));
                    e.put("count", p.getInt(at + 12));
                    list.add(e);
                }
                f.put("writes", list);
            }
            case DEVICE_FEATURE -> feature(p, true, f);
            case MIG_DATA_READ -> {
                MigrationData m = MigrationData.decodeRead(p);
                f.put("argsz", m.argsz());
                f.put("size", m.size());
            }
            case MIG_DATA_WRITE -> {
                MigrationData m = MigrationData.decodeWrite(p);
                f.put("argsz", m.argsz());
                f.put("size", m.size());
            }
            case DMA_READ, DMA_WRITE, DEVICE_RESET, DIRTY_PAGES -> f.put("payloadBytes", p.limit() - b);
            default -> {
            }
        }
    }

    private static void decodeReply(Command command, ByteBuffer p, Map<String, Object> f) {
        if (command == null) {
            return;
        }
        switch (command) {
            case VERSION -> version(VersionMessage.decode(p), f);
            case DEVICE_GET_INFO -> {
                DeviceInfo i = DeviceInfo.decode(p);
                f.put("flags", i.flags());
                f.put("numRegions", i.numRegions());
                f.put("numIrqs", i.numIrqs());
            }
            case DEVICE_GET_REGION_INFO -> {
                RegionInfoMessage.Reply r = RegionInfoMessage.decodeReply(p);
                f.put("argsz", r.argsz());
                f.put("flags", r.flags());
                f.put("index", r.index());
                f.put("capOffset", r.capOffset());
                f.put("size", r.size());
                f.put("offset", r.offset());
            }
            case DEVICE_GET_IRQ_INFO -> {
                IrqInfoMessage i = IrqInfoMessage.decode(p);
                f.put("flags", i.flags());
                f.put("index", i.index());
                f.put("count", i.count());
            }
            case DMA_UNMAP -> {
                DmaUnmap u = DmaUnmap.decode(p);
                f.put("address", u.address());
                f.put("size", u.size());
            }
            case REGION_READ, REGION_WRITE -> access(p, f);
            case REGION_WRITE_MULTI -> f.put("entries", p.getLong(p.position()));
            case DEVICE_FEATURE -> feature(p, false, f);
            case MIG_DATA_READ -> {
                int b = p.position();
                f.put("argsz", Integer.toUnsignedLong(p.getInt(b)));
                f.put("size", Integer.toUnsignedLong(p.getInt(b + 4)));
            }
            default -> f.put("payloadBytes", p.remaining());
        }
    }

    private static void version(VersionMessage v, Map<String, Object> f) {
        f.put("major", v.major());
        f.put("minor", v.minor());
        v.json().ifPresent(json -> f.put("capabilities", json));
    }

    private static void access(ByteBuffer p, Map<String, Object> f) {
        if (p.remaining() < RegionAccess.SIZE) {
            f.put("malformed", "region access payload is " + p.remaining() + " bytes, needs " + RegionAccess.SIZE);
            return;
        }
        f.put("region", RegionAccess.region(p));
        f.put("offset", RegionAccess.offset(p));
        f.put("count", RegionAccess.count(p));
    }

    /** DEVICE_FEATURE: the header, then the sub-payload of the features the server knows. */
    private static void feature(ByteBuffer p, boolean request, Map<String, Object> f) {
        int b = p.position();
        long argsz = Integer.toUnsignedLong(p.getInt(b));
        int flags = p.getInt(b + 4);
        int feature = flags & DeviceFeature.INDEX_MASK;
        boolean get = (flags & DeviceFeature.GET) != 0;
        boolean set = (flags & DeviceFeature.SET) != 0;
        boolean probe = (flags & DeviceFeature.PROBE) != 0;
        f.put("argsz", argsz);
        f.put("feature", featureName(feature));
        f.put("op", probe ? "PROBE" : get ? "GET" : set ? "SET" : "none");
        int d = b + DeviceFeature.SIZE;
        int dataBytes = p.limit() - d;
        if (probe || (request && get) || (!request && set)) {
            return;   // a probe, a GET request and a SET reply carry nothing of their own
        }
        switch (feature) {
            case DeviceFeature.MIGRATION -> {
                if (dataBytes >= 8) {
                    f.put("migrationFlags", p.getLong(d));
                }
            }
            case DeviceFeature.MIG_DEVICE_STATE -> {
                if (dataBytes >= MigrationCommands.STATE_SIZE) {
                    f.put("state", stateName(p.getInt(d)));
                }
            }
            case DeviceFeature.MIG_DATA_SIZE -> {
                if (dataBytes >= 8) {
                    f.put("stopCopyLength", p.getLong(d));
                }
            }
            case MigrationCommands.PRECOPY_INFO -> {
                if (dataBytes >= 16) {
                    f.put("initialBytes", p.getLong(d));
                    f.put("dirtyBytes", p.getLong(d + 8));
                }
            }
            case DeviceFeature.DMA_LOGGING_START -> {
                if (dataBytes >= DmaLogging.START_SIZE) {
                    f.put("pageSize", p.getLong(d));
                    long n = Integer.toUnsignedLong(p.getInt(d + 8));
                    f.put("numRanges", n);
                    List<Map<String, Object>> ranges = new ArrayList<>();
                    for (long i = 0; i < n && d + DmaLogging.START_SIZE + (i + 1) * DmaLogging.RANGE_SIZE <= p.limit(); i++) {
                        int at = (int) (d + DmaLogging.START_SIZE + i * DmaLogging.RANGE_SIZE);
                        ranges.add(Map.of("iova", p.getLong(at), "length", p.getLong(at + 8)));
                    }
                    f.put("ranges", ranges);
                }
            }
            case DeviceFeature.DMA_LOGGING_REPORT -> {
                if (request && dataBytes >= DmaLogging.REPORT_SIZE) {
                    f.put("iova", p.getLong(d));
                    f.put("length", p.getLong(d + 8));
                    f.put("pageSize", p.getLong(d + 16));
                } else if (!request) {
                    f.put("bitmapBytes", dataBytes);
                }
            }
            default -> f.put("dataBytes", dataBytes);
        }
    }

    static String featureName(int feature) {
        return switch (feature) {
            case DeviceFeature.MIGRATION -> "MIGRATION";
            case DeviceFeature.MIG_DEVICE_STATE -> "MIG_DEVICE_STATE";
            case DeviceFeature.DMA_LOGGING_START -> "DMA_LOGGING_START";
            case DeviceFeature.DMA_LOGGING_STOP -> "DMA_LOGGING_STOP";
            case DeviceFeature.DMA_LOGGING_REPORT -> "DMA_LOGGING_REPORT";
            case DeviceFeature.MIG_DATA_SIZE -> "MIG_DATA_SIZE";
            case MigrationCommands.PRECOPY_INFO -> "PRECOPY_INFO";
            default -> Integer.toString(feature);
        };
    }

    private static Object stateName(int value) {
        try {
            return MigrationState.ofValue(value).name();
        } catch (RuntimeException unknown) {
            return value;
        }
    }
}
