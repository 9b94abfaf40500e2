package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.MigrationData;
import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioMigration;
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

    private final VfioMigration migration;
    private final String name;

    MigrationCommands(VfioMigration migration, String name) {
        this.migration = migration;
        this.name = name;
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

    /** MIG_DATA_READ: the reply is 8 + requested bytes, padded, whatever the device produced. */
    void read(ByteBuffer payload, ByteBuffer reply, int maxDataXferSize) {
        MigrationData request = MigrationData.decodeRead(payload);
        if (request.size() > maxDataXferSize) {
            throw ProtocolException.invalid("MIG_DATA_READ size " + request.size() + " exceeds max_data_xfer_size "
                    + maxDataXferSize);
        }
        int wanted = (int) request.size();
        ByteBuffer data = reply.duplicate().position(MigrationData.SIZE).limit(MigrationData.SIZE + wanted);
        int got = migration.read(data);
        if (got < 0 || got > wanted) {
            throw new ProtocolException(Errno.EIO, "device produced " + got + " bytes for a " + wanted + "-byte read");
        }
        for (int i = MigrationData.SIZE + got; i < MigrationData.SIZE + wanted; i++) {
            reply.put(i, (byte) 0);
        }
        MigrationData.encode(reply, MigrationData.SIZE + got, got);
        reply.position(MigrationData.SIZE + wanted);
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
