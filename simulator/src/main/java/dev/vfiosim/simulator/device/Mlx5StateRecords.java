package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.api.RecordMigration;
import dev.vfiosim.simulator.device.bulk.BulkState;
import dev.vfiosim.simulator.device.bulk.BulkStateActivity;
import dev.vfiosim.simulator.device.bulk.BulkStateHeader;
import dev.vfiosim.simulator.device.engine.DeviceEngine;
import dev.vfiosim.simulator.device.engine.EngineState;
import dev.vfiosim.simulator.device.state.CodecStateRecord;
import dev.vfiosim.simulator.device.state.StateRecordDeclaration;
import dev.vfiosim.simulator.migration.DeviceIdentity;
import dev.vfiosim.simulator.migration.DirtyPageSource;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.migration.MigrationImage;
import dev.vfiosim.simulator.migration.MigrationState;
import dev.vfiosim.simulator.migration.PageSink;
import dev.vfiosim.simulator.migration.PageSource;
import dev.vfiosim.simulator.migration.StateRecord;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.migration.PayloadWriter;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The function's migration records (the record style of the device API): a stream made
 * of the device-owned state only — init segment, clock, engine (command interface and queues with
 * their indexes and counters), bulk-activity position, device memory window, bulk state pages.
 * Config space, MSI-X and interrupt wiring are never in it: they are the VMM's.
 *
 * <p>The host runs the state machine and the sessions over these records; what each state means
 * for the device is {@link Mlx5Function#runState}: the P2P states stop the engine (the only
 * initiator of DMA and of device interrupts, and it cannot tell P2P from other DMA) after draining
 * what is in flight, while internal activity goes on; STOP, STOP_COPY and RESUMING stop everything,
 * doorbells rung meanwhile are latched and served on RUNNING. Nothing here refers back to the
 * function: the records are built from its parts.
 *
 * <p>Record tags: 1 init segment, 2 clock, 3 engine, 4 bulk activity, 5 device memory, 6 source (optional,
 * from revision 2), 16 bulk pages. Each record type declares its tag and version
 * ({@link StateRecordDeclaration}); the {@link DeviceRevision} picks the versions written.
 */
final class Mlx5StateRecords {
    private static final Logger LOG = LoggerFactory.getLogger(Mlx5StateRecords.class);
    static final int TAG_CLOCK = 2;
    static final int TAG_BULK_PAGES = 16;

    /** The names of this device's records, for {@code vfio-sim inspect}: read from their declarations. */
    static dev.vfiosim.simulator.migration.StreamInspector.Vocabulary streamVocabulary() {
        java.util.Map<Integer, String> names = new java.util.HashMap<>();
        for (Class<? extends Record> type : java.util.List.of(InitializationSegment.SegmentState.class,
                RunningClock.ClockState.class, EngineState.class, BulkStateHeader.class, DeviceMemoryImage.class,
                SourceDescription.class)) {
            StateRecordDeclaration d = CodecStateRecord.declarationOf(type);
            names.put(d.tag(), d.name());
        }
        names.put(TAG_BULK_PAGES, "bulk pages");
        return new dev.vfiosim.simulator.migration.StreamInspector.Vocabulary(names, java.util.Set.of(TAG_BULK_PAGES));
    }

    /** The device memory window's contents as a record. */
    @StateRecordDeclaration(tag = 5, name = "device memory")
    record DeviceMemoryImage(byte[] bytes) {
    }

    /** Who wrote the stream (from revision 2): only logged and remembered, so a reader may skip it. */
    @StateRecordDeclaration(tag = 6, name = "source", optional = true)
    record SourceDescription(int deviceRevision) {
    }

    private final BulkState bulk;
    private final List<StateRecord> components;
    private final MigrationImage image;
    private final int revision;
    private volatile int resumedFromRevision;

    Mlx5StateRecords(DeviceOwnedState owned, DeviceEngine engine, SharedMemory memory, BulkState bulk,
            MigrationFeatures features, DeviceIdentity identity, int revision) {
        this.revision = revision;
        this.bulk = bulk;
        BulkStateActivity activity = owned.bulkActivity();
        List<StateRecord> records = new ArrayList<>(List.of(
                new CodecStateRecord<>(InitializationSegment.SegmentState.class,
                        owned.initSegment()::state, owned.initSegment()::restore),
                new CodecStateRecord<>(RunningClock.ClockState.class, DeviceRevision.clockVersion(revision),
                        owned.clock()::state, owned.clock()::restore),
                new CodecStateRecord<>(EngineState.class, engine::state, engine::restore),
                new CodecStateRecord<>(BulkStateHeader.class, activity::header, activity::restore),
                new CodecStateRecord<>(DeviceMemoryImage.class, () -> copyOut(memory),
                        image -> memory.buffer().put(image.bytes()))));
        if (DeviceRevision.hasSourceRecord(revision)) {
            records.add(new CodecStateRecord<>(SourceDescription.class, () -> new SourceDescription(revision),
                    this::resumedFrom));
        }
        this.components = List.copyOf(records);
        BulkPages pages = new BulkPages(bulk);
        this.image = new MigrationImage(identity, features, components,
                Optional.of(new dev.vfiosim.simulator.migration.BulkState(TAG_BULK_PAGES, pages, pages, pages)));
    }

    /** What the host migrates: these records, and the arc that forgets the last resume's source. */
    RecordMigration recordMigration() {
        return new RecordMigration(image, (from, to) -> {
            if (from == MigrationState.STOP && to == MigrationState.RESUMING) {
                resumedFromRevision = 0; // until this stream's source record, if it has one, is committed
            }
        });
    }

    private void resumedFrom(SourceDescription source) {
        resumedFromRevision = source.deviceRevision();
        LOG.info("resumed state written by device revision {} (this device: revision {})", source.deviceRevision(),
                revision);
    }

    /** The device revision this function plays. */
    int deviceRevision() {
        return revision;
    }

    /**
     * The revision of the source whose stream this device last resumed, as its optional source
     * record said; 0 when it sent none (revision 1) or nothing was resumed.
     */
    int resumedFromRevision() {
        return resumedFromRevision;
    }

    private static DeviceMemoryImage copyOut(SharedMemory memory) {
        ByteBuffer b = memory.buffer();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new DeviceMemoryImage(bytes);
    }

    /**
     * SHA-256 of everything the stream carries except the clock (which moves on by itself) and the source record: two
     * devices with the same digest continue identically. Take it while the device is stopped.
     */
    byte[] stateDigest() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (StateRecord component : components) {
            // the clock moves on by itself; the optional source record says who wrote, not what the state is
            if (component.tag() != TAG_CLOCK && !component.optional()) {
                PayloadWriter out = new PayloadWriter();
                component.write(out);
                sha.update(out.toByteArray());
            }
        }
        ByteBuffer page = ByteBuffer.allocate(bulk.pageSize());
        for (int p = 0; p < bulk.pageCount(); p++) {
            bulk.readPage(p, page.clear());
            sha.update(page.flip());
        }
        return sha.digest();
    }

    /**
     * The bulk state as the stream sees it. Pages are loaded straight into the stopped device's
     * memory (no second copy of a possibly huge state); a discarded load zeroes them, so that what
     * a reset then runs is a blank state, never half a stream.
     */
    private static final class BulkPages implements PageSource, DirtyPageSource, PageSink {
        private final BulkState bulk;

        BulkPages(BulkState bulk) {
            this.bulk = bulk;
        }

        @Override
        public int pageSize() {
            return bulk.pageSize();
        }

        @Override
        public long pageCount() {
            return bulk.pageCount();
        }

        @Override
        public void readPage(long index, ByteBuffer dst) {
            bulk.readPage((int) index, dst);
        }

        /** The page's own memory: a save session lends it only while the device is stopped. */
        @Override
        public ByteBuffer stableMemory(long index) {
            return bulk.memoryOf((int) index);
        }

        @Override
        public int stablePageOffset(long index) {
            return bulk.offsetInMemory((int) index);
        }

        @Override
        public void startTracking() {
            // the initial image sends every page: only writes from now on count as dirty
            bulk.takeDirty();
        }

        @Override
        public void stopTracking() {
            // the bulk state always tracks (its dirty bits are its own bookkeeping)
        }

        @Override
        public long dirtyPageCount() {
            return bulk.dirtyCount();
        }

        @Override
        public BitSet takeDirtyPages() {
            return bulk.takeDirty();
        }

        @Override
        public void stagePage(long index, ByteBuffer page) {
            bulk.loadPage((int) index, page);
        }

        @Override
        public void commit() {
        }

        @Override
        public void discard() {
            ByteBuffer zero = ByteBuffer.allocate(bulk.pageSize());
            for (int p = 0; p < bulk.pageCount(); p++) {
                bulk.loadPage(p, zero.clear());
            }
        }
    }
}
