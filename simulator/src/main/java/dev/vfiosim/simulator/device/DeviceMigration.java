package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.device.bulk.BulkState;
import dev.vfiosim.simulator.device.bulk.BulkStateActivity;
import dev.vfiosim.simulator.device.bulk.BulkStateHeader;
import dev.vfiosim.simulator.device.engine.DeviceEngine;
import dev.vfiosim.simulator.device.engine.EngineState;
import dev.vfiosim.simulator.device.state.CodecStateRecord;
import dev.vfiosim.simulator.device.state.StateRecordDeclaration;
import dev.vfiosim.simulator.fault.FaultEvent;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FaultSite.SizeKind;
import dev.vfiosim.simulator.migration.Arc;
import dev.vfiosim.simulator.migration.DeviceIdentity;
import dev.vfiosim.simulator.migration.DeviceRunControl;
import dev.vfiosim.simulator.migration.DirtyPageSource;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.migration.MigrationImage;
import dev.vfiosim.simulator.migration.MigrationSessions;
import dev.vfiosim.simulator.migration.MigrationState;
import dev.vfiosim.simulator.migration.MigrationStateMachine;
import dev.vfiosim.simulator.migration.PageSink;
import dev.vfiosim.simulator.migration.PageSource;
import dev.vfiosim.simulator.migration.StateRecord;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.migration.PayloadWriter;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The function's migration: the v2 state machine over the device's own arcs, and a stream made
 * of the device-owned state only — init segment, clock, engine (command interface and queues with
 * their indexes and counters), bulk-activity position, device memory window, bulk state pages.
 * Config space, MSI-X and interrupt wiring are never in it: they are the VMM's.
 *
 * <p>What each state means for the device: RUNNING and PRE_COPY run; the P2P states stop the engine
 * (the only initiator of DMA and of device interrupts, and it cannot tell P2P from other DMA) after
 * draining what is in flight, while internal activity goes on; STOP, STOP_COPY and RESUMING stop
 * everything, doorbells rung meanwhile are latched and served on RUNNING.
 *
 * <p>Record tags: 1 init segment, 2 clock, 3 engine, 4 bulk activity, 5 device memory, 6 source (optional,
 * from revision 2), 16 bulk pages. Each record type declares its tag and version
 * ({@link StateRecordDeclaration}); the {@link DeviceRevision} picks the versions written.
 */
public final class DeviceMigration implements VfioMigration, DeviceRunControl {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceMigration.class);
    static final int TAG_CLOCK = 2;
    static final int TAG_BULK_PAGES = 16;

    /** The names of this device's records, for {@code vfio-sim inspect}: read from their declarations. */
    public static dev.vfiosim.simulator.migration.StreamInspector.Vocabulary streamVocabulary() {
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

    private final Mlx5VirtualFunction device;
    private final MigrationFeatures features;
    private final MigrationSessions sessions;
    private final MigrationStateMachine machine;
    private final List<StateRecord> components;
    private final MigrationFaults faults = new MigrationFaults();
    private final int revision;
    private volatile int resumedFromRevision;

    DeviceMigration(Mlx5VirtualFunction device, MigrationFeatures features, DeviceIdentity identity, int revision) {
        this.device = device;
        this.revision = revision;
        this.features = features;
        DeviceOwnedState owned = device.deviceOwnedState();
        DeviceEngine engine = device.engine();
        BulkStateActivity activity = owned.bulkActivity();
        SharedMemory memory = device.deviceMemory();
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
        BulkPages pages = new BulkPages(device.bulkState());
        MigrationImage image = new MigrationImage(identity, features, components,
                Optional.of(new dev.vfiosim.simulator.migration.BulkState(TAG_BULK_PAGES, pages, pages, pages)));
        this.sessions = new MigrationSessions(image, this);
        this.machine = new MigrationStateMachine(features, sessions);
        machine.beforeEachArc(arc -> {
            if (opensSession(arc)) {
                faults.sessionStarted();
            }
            if (arc == Arc.STOP_TO_RESUMING) {
                resumedFromRevision = 0; // until this stream's source record, if it has one, is committed
            }
            faults.beforeArc(arc);
        });
    }

    private static boolean opensSession(Arc arc) {
        return arc == Arc.RUNNING_TO_PRE_COPY || arc == Arc.RUNNING_P2P_TO_PRE_COPY_P2P || arc == Arc.STOP_TO_STOP_COPY
                || arc == Arc.STOP_TO_RESUMING;
    }

    /** Misbehave as {@code injector}'s plan says (arcs, stream data, sizes); {@link FaultInjector#NONE} to behave. */
    public void useFaults(FaultInjector injector) {
        faults.use(injector);
    }

    private void resumedFrom(SourceDescription source) {
        resumedFromRevision = source.deviceRevision();
        LOG.info("resumed state written by device revision {} (this device: revision {})", source.deviceRevision(),
                revision);
    }

    /** The device revision this function plays. */
    public int deviceRevision() {
        return revision;
    }

    /**
     * The revision of the source whose stream this device last resumed, as its optional source
     * record said; 0 when it sent none (revision 1) or nothing was resumed.
     */
    public int resumedFromRevision() {
        return resumedFromRevision;
    }

    private static DeviceMemoryImage copyOut(SharedMemory memory) {
        ByteBuffer b = memory.buffer();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new DeviceMemoryImage(bytes);
    }

    @Override
    public long flags() {
        return features.flags();
    }

    @Override
    public int state() {
        return machine.get().value();
    }

    @Override
    public void setState(int target) {
        MigrationState to = MigrationState.ofValue(target);
        MigrationState from = machine.get();
        try {
            machine.set(to);
            LOG.info("migration {} -> {}: arcs {}", from, to, machine.lastPath());
        } catch (RuntimeException e) {
            LOG.warn("migration {} -> {} failed at {} (now {}): {}", from, to, machine.lastFailedArc().orElse(null),
                    machine.get(), e.getMessage());
            throw e;
        }
    }

    @Override
    public long stopCopySize() {
        return faults.size(SizeKind.STOP_COPY_LENGTH, sessions.stopCopySize());
    }

    @Override
    public PrecopyInfo precopyInfo() {
        return new PrecopyInfo(faults.size(SizeKind.INITIAL_BYTES, sessions.initialBytes()),
                faults.size(SizeKind.DIRTY_BYTES, sessions.dirtyBytes()));
    }

    @Override
    public int read(ByteBuffer dst) {
        MigrationState state = machine.get(); // taken first: never hold the fault lock while waiting for the machine
        return faults.read(dst, sessions::read, state, tagOf(sessions.recordInFlight()));
    }

    @Override
    public void write(ByteBuffer src) {
        MigrationState state = machine.get();
        faults.write(src, sessions::write, state, tagOf(sessions.recordInFlight()));
    }

    private static int tagOf(int recordInFlight) {
        return recordInFlight < 0 ? FaultEvent.NONE : recordInFlight;
    }

    /** Device reset: back to RUNNING, sessions dropped. */
    void reset() {
        machine.reset();
    }

    /**
     * SHA-256 of everything the stream carries except the clock (which moves on by itself) and the source record: two
     * devices with the same digest continue identically. Take it while the device is stopped.
     */
    public byte[] stateDigest() {
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
        BulkState bulk = device.bulkState();
        ByteBuffer page = ByteBuffer.allocate(bulk.pageSize());
        for (int p = 0; p < bulk.pageCount(); p++) {
            bulk.readPage(p, page.clear());
            sha.update(page.flip());
        }
        return sha.digest();
    }

    /** The state machine, for observability (last path, last failed arc). */
    public MigrationStateMachine stateMachine() {
        return machine;
    }

    @Override
    public void quiesceP2P() {
        Duration broken = faults.takeP2pBreak();
        if (broken == null) {
            device.engine().pause();
            return;
        }
        // a faulty device: reports the P2P state but keeps doing DMA for a while
        LOG.warn("P2P quiesce broken on purpose: the engine keeps running for {}", broken);
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(broken.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            MigrationState now = machine.get();
            if (now == MigrationState.RUNNING_P2P || now == MigrationState.PRE_COPY_P2P) {
                device.engine().pause();
            }
        }, "p2p-quiesce-late");
        late.setDaemon(true);
        late.start();
    }

    @Override
    public void unquiesceP2P() {
        device.engine().resume();
    }

    @Override
    public void stop() {
        device.pause();
    }

    @Override
    public void start() {
        device.resume();
    }

    @Override
    public void startQuiesced() {
        device.resumeWithoutEngine();
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
