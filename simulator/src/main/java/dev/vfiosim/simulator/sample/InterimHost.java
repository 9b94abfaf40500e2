package dev.vfiosim.simulator.sample;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.api.DeviceHost;
import dev.vfiosim.simulator.api.IrqLayout;
import dev.vfiosim.simulator.api.OpaqueMigration;
import dev.vfiosim.simulator.api.RecordMigration;
import dev.vfiosim.simulator.api.RegionSpec;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaMappingListener;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.irq.InterruptSink;
import dev.vfiosim.simulator.irq.IrqInfo;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.irq.MsixTable;
import dev.vfiosim.simulator.migration.MigrationArcs;
import dev.vfiosim.simulator.migration.MigrationState;
import dev.vfiosim.simulator.migration.MigrationStateMachine;
import dev.vfiosim.simulator.pci.ConfigSpace;
import dev.vfiosim.simulator.pci.RegionInfo;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.nio.ByteBuffer;

/**
 * INTERIM: serves the {@link SampleModel} until the device API's generic host lands on this branch
 * (merge of {@code api}); then this class goes. Only what the sample declares is supported.
 */
public final class InterimHost implements VfioDevice, DeviceHost {
    private final SampleModel model;
    private final SharedMemoryAllocator allocator;
    private final ConfigSpace config = new ConfigSpace();
    private final RegionSpec[] regions = new RegionSpec[VfioRegion.COUNT];
    private final InterruptController irq = new InterruptController(config, 0, new MsixTable(0));
    private volatile Dma connected = Dma.NONE;
    private OpaqueMigration opaque;
    private MigrationStateMachine machine;
    private final Dma port = new Dma() {
        @Override
        public void read(long iova, ByteBuffer dst) {
            connected.read(iova, dst);
        }

        @Override
        public void write(long iova, ByteBuffer src) {
            connected.write(iova, src);
        }

        @Override
        public Dma viaMessages() {
            return connected.viaMessages();
        }
    };

    public InterimHost(SampleModel model, SharedMemoryAllocator allocator) {
        this.model = model;
        this.allocator = allocator;
        model.define(this);
    }

    // --- DeviceHost ---
    @Override
    public ConfigSpace config() {
        return config;
    }

    @Override
    public void configSize(int bytes) {
        throw new UnsupportedOperationException("interim host: the sample serves region 7 itself");
    }

    @Override
    public void region(int index, RegionSpec region) {
        regions[index] = region;
    }

    @Override
    public InterruptController interrupts(IrqLayout layout) {
        return irq;
    }

    @Override
    public Dma dma() {
        return port;
    }

    @Override
    public SharedMemoryAllocator memory() {
        return allocator;
    }

    @Override
    public void migration(OpaqueMigration migration) {
        this.opaque = migration;
        this.machine = new MigrationStateMachine(migration.features(), new Arcs());
    }

    @Override
    public void migration(RecordMigration migration) {
        throw new UnsupportedOperationException("interim host: opaque migration only");
    }

    @Override
    public void functionReset() {
        reset();
    }

    /** Every arc goes to the device's transition callback; the sample has nothing else to do. */
    private final class Arcs implements MigrationArcs {
        private void arc(MigrationState from, MigrationState to) {
            opaque.transition(from, to);
        }

        @Override public void quiesceP2P() { throw new IllegalStateException("no P2P"); }
        @Override public void unquiesceP2P() { throw new IllegalStateException("no P2P"); }
        @Override public void stopDevice() { arc(MigrationState.RUNNING, MigrationState.STOP); }
        @Override public void startDevice() { arc(MigrationState.STOP, MigrationState.RUNNING); }
        @Override public void startPreCopy() { arc(MigrationState.RUNNING, MigrationState.PRE_COPY); }
        @Override public void startStopCopy() { arc(MigrationState.STOP, MigrationState.STOP_COPY); }
        @Override public void enterStopCopy() { arc(MigrationState.PRE_COPY, MigrationState.STOP_COPY); }
        @Override public void endSaving() {
            arc(machine.get(), machine.get() == MigrationState.PRE_COPY ? MigrationState.RUNNING : MigrationState.STOP);
        }
        @Override public void startResuming() { arc(MigrationState.STOP, MigrationState.RESUMING); }
        @Override public void commitResume() { arc(MigrationState.RESUMING, MigrationState.STOP); }
        @Override public void dropSessions() { }
    }

    // --- VfioDevice ---
    @Override
    public int regionCount() {
        return VfioRegion.COUNT;
    }

    @Override
    public int irqCount() {
        return IrqType.values().length;
    }

    @Override
    public RegionInfo regionInfo(int index) {
        if (index < 0 || index >= VfioRegion.COUNT) {
            throw new DeviceException(Errno.EINVAL, "no region " + Integer.toUnsignedString(index));
        }
        RegionSpec r = regions[index];
        if (r == null) {
            return RegionInfo.absent(index);
        }
        return new RegionInfo(index, r.size(), r.readable(), r.writable(), r.sparseAreas(), r.backing(), r.mmapOffset());
    }

    private RegionSpec.Handler handler(int index, long offset, int count) {
        RegionInfo info = regionInfo(index);
        if (info.size() == 0 || offset < 0 || offset + count > info.size()) {
            throw new DeviceException(Errno.EINVAL, "region " + index + " access [0x" + Long.toHexString(offset) + ", +"
                    + count + ") outside its " + info.size() + " bytes");
        }
        return regions[index].handler();
    }

    @Override
    public void readRegion(int index, long offset, ByteBuffer dst) {
        if (dst.hasRemaining()) {
            handler(index, offset, dst.remaining()).read(offset, dst);
        }
    }

    @Override
    public void writeRegion(int index, long offset, ByteBuffer src) {
        if (src.hasRemaining()) {
            handler(index, offset, src.remaining()).write(offset, src);
        }
    }

    @Override
    public IrqInfo irqInfo(int index) {
        IrqType type = IrqType.ofIndex(index);
        if (type == null) {
            throw new DeviceException(Errno.EINVAL, "no irq index " + Integer.toUnsignedString(index));
        }
        return irq.info(type);
    }

    @Override
    public void connectInterrupts(InterruptSink sink) {
        irq.connect(sink);
    }

    @Override
    public void connectDma(Dma dma) {
        connected = dma;
    }

    @Override
    public DmaMappingListener dmaMappingListener() {
        return model.dmaMappings();
    }

    @Override
    public void maskIrqs(IrqType type, int start, boolean[] selected, boolean mask) {
        irq.mask(type, start, selected, mask);
    }

    @Override
    public void irqTriggersAssigned(IrqType type, int start, boolean[] selected, boolean assigned) {
        irq.assignTriggers(type, start, selected, assigned);
    }

    @Override
    public void triggerIrqs(IrqType type, int start, boolean[] selected) {
        irq.trigger(type, start, selected);
    }

    @Override
    public VfioMigration migration() {
        return new VfioMigration() {
            @Override
            public long flags() {
                return opaque.features().flags();
            }

            @Override
            public int state() {
                return machine.get().value();
            }

            @Override
            public void setState(int target) {
                MigrationState to;
                try {
                    to = MigrationState.ofValue(target);
                } catch (IllegalArgumentException e) {
                    throw new DeviceException(Errno.EINVAL, "no migration state " + target);
                }
                if (to == MigrationState.ERROR || !machine.features().supports(to)) {
                    throw new DeviceException(Errno.EINVAL, "state " + to + " is not offered");
                }
                machine.set(to);
            }

            @Override
            public long stopCopySize() {
                return opaque.stopCopySize();
            }

            @Override
            public PrecopyInfo precopyInfo() {
                return opaque.precopyInfo();
            }

            @Override
            public int read(ByteBuffer dst) {
                MigrationState s = machine.get();
                if (s != MigrationState.PRE_COPY && s != MigrationState.STOP_COPY) {
                    throw new DeviceException(Errno.EINVAL, "MIG_DATA_READ in " + s);
                }
                return opaque.readData(dst);
            }

            @Override
            public void write(ByteBuffer src) {
                if (machine.get() != MigrationState.RESUMING) {
                    throw new DeviceException(Errno.EINVAL, "MIG_DATA_WRITE in " + machine.get());
                }
                opaque.writeData(src);
            }
        };
    }

    @Override
    public void reset() {
        model.reset();
    }

    @Override
    public void close() {
        model.close();
    }
}
