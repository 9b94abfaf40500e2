package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.MigrationData;
import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.migration.DataChunk;
import java.nio.ByteBuffer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration commands of one session, translated to the device's {@link VfioMigration}:
 * DEVICE_FEATURE MIGRATION (1), MIG_DEVICE_STATE (2), MIG_DATA_SIZE (9), the vfio-sim extension
 * PRECOPY_INFO, and MIG_DATA_READ / MIG_DATA_WRITE.
 *
 * <pre>
 * MIGRATION GET:        0 u64 flags
 * MIG_DEVICE_STATE:     0 u32 device_state, 4 s32 data_fd (meaningless over vfio-user: echoed on SET, -1 on GET)
 * MIG_DATA_SIZE GET:    0 u64 stop_copy_length
 * PRECOPY_INFO GET:     0 u64 initial_bytes, 8 u64 dirty_bytes   (feature index 0x8000, vfio-sim only)
 * </pre>
 */
final class MigrationCommands {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationCommands.class);
    static final int PRECOPY_INFO = DeviceFeature.PRECOPY_INFO;
    static final int STATE_SIZE = 8;
    /**
     * {@code -Dvfiosim.migration.lend=true} lets a stopped device's pages go out straight from its
     * memory (one gathered sendmsg) instead of being copied into the reply. Off by default: on the
     * 2-core EPYC VM of this project's benchmarks it did not lower server CPU per MiB (the kernel's
     * copy then reads the state from L3/memory instead of a cache-hot reply buffer; BENCHMARKS.md /
     * mig figures). The protocol bytes are the same either way.
     */
    static final String LEND_PROPERTY = "vfiosim.migration.lend";

    private final VfioMigration migration;
    private final String name;
    private final boolean lendPages;
    /** The MIG_DATA_READ chunk, reused; between a read that lent pages and its send it holds the reply. */
    private final DataChunk chunk = new DataChunk();
    private final LentReply replySegments = new LentReply();
    private ByteBuffer lentBody;
    private boolean lent;

    MigrationCommands(VfioMigration migration, String name) {
        this(migration, name, Boolean.getBoolean(LEND_PROPERTY));
    }

    /** {@code lendPages}: whether MIG_DATA_READ may send lent pages (see {@link #LEND_PROPERTY}). */
    MigrationCommands(VfioMigration migration, String name, boolean lendPages) {
        this.migration = migration;
        this.name = name;
        this.lendPages = lendPages;
    }

    void register(Map<Integer, DeviceFeatureHandler> features) {
        features.put(DeviceFeature.MIGRATION, DeviceFeatureHandler.getOnly(this::flags));
        features.put(DeviceFeature.MIG_DEVICE_STATE, new DeviceFeatureHandler(this::getState, this::setState));
        features.put(DeviceFeature.MIG_DATA_SIZE, DeviceFeatureHandler.getOnly(this::dataSize));
        features.put(PRECOPY_INFO, DeviceFeatureHandler.getOnly(this::precopyInfo));
    }

    private static void room(long argsz, int dataSize, String what) {
        if (argsz < DeviceFeature.SIZE + dataSize) {
            throw ProtocolException.invalid(what + " GET argsz " + argsz + " is below " + (DeviceFeature.SIZE + dataSize));
        }
    }

    private void flags(ByteBuffer data, ByteBuffer reply, long argsz) {
        room(argsz, 8, "MIGRATION");
        reply.putLong(migration.flags());
    }

    private void getState(ByteBuffer data, ByteBuffer reply, long argsz) {
        room(argsz, STATE_SIZE, "MIG_DEVICE_STATE");
        reply.putInt(migration.state()).putInt(-1);
    }

    private void setState(ByteBuffer data, ByteBuffer reply) {
        if (data.remaining() < STATE_SIZE) {
            throw ProtocolException.invalid("MIG_DEVICE_STATE SET data is " + data.remaining() + " bytes, needs " + STATE_SIZE);
        }
        int target = data.getInt(data.position());
        int from = migration.state();
        long started = System.nanoTime();
        migration.setState(target);
        LOG.info("{}: migration state {} -> {} in {} us", name, from, target, (System.nanoTime() - started) / 1000);
    }

    private void dataSize(ByteBuffer data, ByteBuffer reply, long argsz) {
        room(argsz, 8, "MIG_DATA_SIZE");
        reply.putLong(migration.stopCopySize());
    }

    private void precopyInfo(ByteBuffer data, ByteBuffer reply, long argsz) {
        room(argsz, 16, "PRECOPY_INFO");
        VfioMigration.PrecopyInfo info = migration.precopyInfo();
        reply.putLong(info.initialBytes()).putLong(info.dirtyBytes());
    }

    /**
     * MIG_DATA_READ: the reply is 8 + requested bytes, padded, whatever the device produced. With
     * {@code mayLend} the device may lend pages instead of copying them into {@code reply}; then the
     * reply is not flat in {@code reply} (which holds the MigrationData header and the inline bytes)
     * and {@link #takeLentReply} has it as segments.
     */
    void read(ByteBuffer payload, ByteBuffer reply, int maxDataXferSize, boolean mayLend) {
        lent = false;
        MigrationData request = MigrationData.decodeRead(payload);
        if (request.size() > maxDataXferSize) {
            throw ProtocolException.invalid("MIG_DATA_READ size " + request.size() + " exceeds max_data_xfer_size "
                    + maxDataXferSize);
        }
        int wanted = (int) request.size();
        ByteBuffer data = reply.duplicate().position(MigrationData.SIZE).limit(MigrationData.SIZE + wanted);
        boolean lend = mayLend && lendPages;
        // without lending, the plain copying read, exactly as before chunks existed
        int got = lend ? migration.read(chunk.begin(data, wanted, true)) : migration.read(data);
        if (got < 0 || got > wanted || (lend && got != chunk.length())) {
            throw new ProtocolException(Errno.EIO, "device produced " + got + " bytes for a " + wanted + "-byte read");
        }
        if (!lend || chunk.inlineLength() == got) {   // nothing lent: the reply is flat in the buffer
            for (int i = MigrationData.SIZE + got; i < MigrationData.SIZE + wanted; i++) {
                reply.put(i, (byte) 0);
            }
            MigrationData.encode(reply, MigrationData.SIZE + got, got);
            reply.position(MigrationData.SIZE + wanted);
            return;
        }
        ByteBuffer padding = chunk.appendInline(wanted - got);
        for (int i = 0; i < padding.limit(); i++) {
            padding.put(i, (byte) 0);
        }
        MigrationData.encode(reply, MigrationData.SIZE + got, got);
        reply.position(MigrationData.SIZE + chunk.inlineLength());
        lentBody = reply;
        lent = true;
    }

    /**
     * The last MIG_DATA_READ's reply when pages were lent, as the segments of the whole message
     * ({@code header}, the MigrationData header, then the chunk), or null if that reply is flat in its
     * buffer. Taking it clears it: lent pages are sent once, right away, while the device is stopped.
     */
    LentReply takeLentReply(ByteBuffer header) {
        if (!lent) {
            return null;
        }
        lent = false;
        replySegments.header = header;
        return replySegments;
    }

    /** A reply of the vfio-user header, the 8-byte MigrationData header and the chunk's segments. */
    final class LentReply implements MessageSocket.Segments {
        private static final int HEADERS = 2;
        private ByteBuffer header;

        /** The reply's size after the vfio-user header. */
        int bodySize() {
            return MigrationData.SIZE + chunk.length();
        }

        @Override
        public int count() {
            return HEADERS + chunk.segmentCount();
        }

        @Override
        public ByteBuffer buffer(int segment) {
            return segment == 0 ? header : segment == 1 ? lentBody : chunk.buffer(segment - HEADERS);
        }

        @Override
        public int offset(int segment) {
            return segment == 0 ? header.position() : segment == 1 ? 0 : chunk.offset(segment - HEADERS);
        }

        @Override
        public int length(int segment) {
            return segment == 0 ? header.remaining() : segment == 1 ? MigrationData.SIZE : chunk.length(segment - HEADERS);
        }
    }

    /** MIG_DATA_WRITE: the device consumes every byte; no reply payload. */
    void write(ByteBuffer payload) {
        MigrationData request = MigrationData.decodeWrite(payload);
        ByteBuffer data = payload.duplicate().order(payload.order());
        data.position(payload.position() + MigrationData.SIZE);
        migration.write(data);
        if (data.hasRemaining()) {
            throw new ProtocolException(Errno.EIO, "device consumed only " + (request.size() - data.remaining()) + " of "
                    + request.size() + " bytes");
        }
    }
}
