package dev.vfiosim.simulator.host;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.api.DeviceHost;
import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.IrqLayout;
import dev.vfiosim.simulator.api.OpaqueMigration;
import dev.vfiosim.simulator.api.RecordMigration;
import dev.vfiosim.simulator.api.RegionSpec;
import dev.vfiosim.simulator.api.RunState;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaMappingListener;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FaultingDma;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.irq.InterruptSink;
import dev.vfiosim.simulator.irq.IrqCounts;
import dev.vfiosim.simulator.irq.IrqInfo;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.irq.MsixTable;
import dev.vfiosim.simulator.migration.MigrationSessions;
import dev.vfiosim.simulator.pci.ConfigSpace;
import dev.vfiosim.simulator.pci.RegionInfo;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DeviceModel} served as a {@link VfioDevice}: the host side of the device API. It owns
 * config space (region 7 unless the model serves it), range-checks every region access before the
 * model's handler sees it, owns the interrupt controller (masking, pending bits, delivery), runs
 * the v2 migration state machine over the model's run control and migration data, resets, and
 * puts the fault decorators around the model's DMA port and migration. The model never sees the
 * server, and the host never looks inside the model.
 *
 * <p>Subclassing is for a model's typed façade (the mlx5 VF's accessors for tests): a subclass
 * adds accessors only, it does not change how the host behaves.
 */
public class HostedDevice implements VfioDevice {
    private static final Logger LOG = LoggerFactory.getLogger(HostedDevice.class);

    private final DeviceModel model;
    private final ConfigSpace config = new ConfigSpace();
    private final RegionSpec[] regions = new RegionSpec[VfioRegion.COUNT];
    private final FaultingDma dma = new FaultingDma();
    private final AtomicLong resets = new AtomicLong();
    private final RunControl run;
    private int configSize = ConfigSpace.SIZE;
    private InterruptController interrupts;
    private HostedMigration migration;
    private DmaMappingListener dmaMappings = DmaMappingListener.NONE;

    /** Hosts {@code model}: calls its {@link DeviceModel#define} now; {@code memory} makes its mappable memory. */
    public HostedDevice(DeviceModel model, SharedMemoryAllocator memory) {
        this.model = model;
        Declarations declarations = new Declarations(memory);
        try {
            model.define(declarations);
        } finally {
            declarations.open = false;
        }
        if (interrupts == null) {
            interrupts = controllerFor(IrqLayout.INTX_ONLY);
        }
        run = new RunControl(model, interrupts, () -> migration);
        if (declarations.opaque != null) {
            OpaqueMigrationData data = new OpaqueMigrationData(declarations.opaque, run);
            migration = new HostedMigration(declarations.opaque.features(), data, data, declarations.opaque);
        } else if (declarations.records != null) {
            MigrationSessions sessions = new MigrationSessions(declarations.records.image(), run);
            migration = new HostedMigration(declarations.records.image().features(), sessions, sessions,
                    declarations.records.transitions());
        }
    }

    /** The hosted model. */
    public DeviceModel model() {
        return model;
    }

    /** The interrupt controller the model raises through: counters, pending state, masking. */
    public InterruptController interrupts() {
        return interrupts;
    }

    /** The function's config space. */
    public ConfigSpace config() {
        return config;
    }

    /** The guest-memory port the model uses (follows the attached client). */
    public Dma dma() {
        return dma;
    }

    /** Resets (DEVICE_RESET or FLR) since creation. */
    public long resetCount() {
        return resets.get();
    }

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
        checkRegionIndex(index);
        RegionSpec r = regions[index];
        if (r != null) {
            return new RegionInfo(index, r.size(), r.readable(), r.writable(), r.sparseAreas(), r.backing(), r.mmapOffset());
        }
        return index == VfioRegion.CONFIG ? RegionInfo.trapped(VfioRegion.CONFIG, configSize) : RegionInfo.absent(index);
    }

    @Override
    public void readRegion(int index, long offset, ByteBuffer dst) {
        checkAccess(index, offset, dst.remaining(), false);
        if (dst.remaining() == 0) {
            return;
        }
        RegionSpec r = regions[index];
        if (r == null) {
            config.read((int) offset, dst);
        } else {
            r.handler().read(offset, dst);
        }
    }

    @Override
    public void writeRegion(int index, long offset, ByteBuffer src) {
        checkAccess(index, offset, src.remaining(), true);
        if (src.remaining() == 0) {
            return;
        }
        RegionSpec r = regions[index];
        if (r == null) {
            config.write((int) offset, src);
        } else {
            r.handler().write(offset, src);
        }
    }

    @Override
    public IrqInfo irqInfo(int index) {
        IrqType type = IrqType.ofIndex(index);
        if (type == null || index >= irqCount()) {
            throw new DeviceException(Errno.EINVAL, "IRQ index " + index + " is not within 0.." + (irqCount() - 1));
        }
        return interrupts.info(type);
    }

    @Override
    public void connectInterrupts(InterruptSink sink) {
        interrupts.connect(sink);
    }

    @Override
    public void connectDma(Dma connected) {
        dma.connect(connected);
    }

    @Override
    public DmaMappingListener dmaMappingListener() {
        return dmaMappings;
    }

    @Override
    public void maskIrqs(IrqType type, int start, boolean[] selected, boolean mask) {
        interrupts.mask(checkType(type), start, selected, mask);
    }

    @Override
    public void irqTriggersAssigned(IrqType type, int start, boolean[] selected, boolean assigned) {
        interrupts.assignTriggers(checkType(type), start, selected, assigned);
    }

    @Override
    public void triggerIrqs(IrqType type, int start, boolean[] selected) {
        interrupts.trigger(checkType(type), start, selected);
    }

    @Override
    public VfioMigration migration() {
        return migration;
    }

    /** The host's migration of the model (state machine, sessions, faults), or {@code null} if it does not migrate. */
    public HostedMigration hostedMigration() {
        return migration;
    }

    @Override
    public void injectFaults(FaultInjector faults) {
        dma.use(faults);
        if (migration != null) {
            migration.useFaults(faults);
        }
    }

    /**
     * DEVICE_RESET and FLR: the model's device-owned state back to power-on, pending interrupts
     * forgotten, and the migration state back to RUNNING with any session dropped (the uAPI's only
     * way out of ERROR). Config space, the MSI-X table and the interrupt wiring are VMM-owned and
     * kept: vfio-pci restores a function's config after the FLR it issues for DEVICE_RESET.
     */
    @Override
    public void reset() {
        model.reset();
        interrupts.clearPending();
        interrupts.quiesce(false);
        if (migration != null) {
            migration.reset();
        }
        resets.incrementAndGet();
        LOG.debug("function reset");
    }

    /** For {@code ctl status}: resets and the interrupts per type (delivered, held, lost) that had any. */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("resets", resetCount());
        s.put("interrupts", interruptCounts());
        return s;
    }

    /** Interrupt counts per type that saw any: delivered, held (pending when raised), lost. */
    protected final Map<String, Object> interruptCounts() {
        Map<String, Object> irqs = new LinkedHashMap<>();
        for (IrqType type : IrqType.values()) {
            IrqCounts c = interrupts.counts(type);
            if (c.delivered() + c.pended() + c.lost() > 0) {
                irqs.put(type.name(), Map.of("delivered", c.delivered(), "held", c.pended(), "lost", c.lost()));
            }
        }
        return irqs;
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return model.toString();
    }

    private InterruptController controllerFor(IrqLayout layout) {
        return new InterruptController(config, layout.msixCapabilityOffset(), new MsixTable(layout.msixVectors()),
                layout.intx(), layout.err(), layout.req());
    }

    private static IrqType checkType(IrqType type) {
        if (type == null) {
            throw new DeviceException(Errno.EINVAL, "no IRQ type given");
        }
        return type;
    }

    private void checkRegionIndex(int index) {
        if (index < 0 || index >= regionCount()) {
            throw new DeviceException(Errno.EINVAL, "region index " + index + " is not within 0.." + (regionCount() - 1));
        }
    }

    private RegionInfo checkAccess(int index, long offset, int length, boolean write) {
        RegionInfo info = regionInfo(index);
        long size = info.size();
        if (size == 0) {
            throw new DeviceException(Errno.EINVAL, "region " + index + " is not implemented (size 0)");
        }
        if (offset < 0 || offset > size - length) {
            throw new DeviceException(Errno.EINVAL, "access of " + length + " bytes at offset 0x" + Long.toHexString(offset)
                    + " is outside region " + index + " (size 0x" + Long.toHexString(size) + ")");
        }
        if (write ? !info.writable() : !info.readable()) {
            throw new DeviceException(Errno.EINVAL, "region " + index + " is not " + (write ? "writable" : "readable"));
        }
        return info;
    }

    /** What the model declares itself to, during {@link DeviceModel#define} only (its ports stay valid). */
    private final class Declarations implements DeviceHost {
        private final SharedMemoryAllocator memory;
        private boolean open = true;
        private OpaqueMigration opaque;
        private RecordMigration records;

        Declarations(SharedMemoryAllocator memory) {
            this.memory = memory;
        }

        @Override
        public ConfigSpace config() {
            return config;
        }

        @Override
        public void configSize(int bytes) {
            requireOpen("configSize");
            if (bytes != 256 && bytes != ConfigSpace.SIZE) {
                throw new IllegalArgumentException("config space is 256 or " + ConfigSpace.SIZE + " bytes, not " + bytes);
            }
            configSize = bytes;
        }

        @Override
        public void region(int index, RegionSpec region) {
            requireOpen("region");
            if (index < 0 || index >= VfioRegion.COUNT) {
                throw new IllegalArgumentException("region index " + index + " is not within 0.." + (VfioRegion.COUNT - 1));
            }
            if (regions[index] != null) {
                throw new IllegalArgumentException("region " + index + " is declared twice");
            }
            if (index == VfioRegion.CONFIG && region.size() > ConfigSpace.SIZE) {
                throw new IllegalArgumentException("config space has at most " + ConfigSpace.SIZE + " bytes");
            }
            regions[index] = region;
        }

        @Override
        public InterruptController interrupts(IrqLayout layout) {
            requireOpen("interrupts");
            if (interrupts != null) {
                throw new IllegalArgumentException("the interrupt layout is declared twice");
            }
            interrupts = controllerFor(layout);
            return interrupts;
        }

        @Override
        public Dma dma() {
            return dma;
        }

        @Override
        public SharedMemoryAllocator memory() {
            return memory;
        }

        @Override
        public void dmaMappings(DmaMappingListener listener) {
            requireOpen("dmaMappings");
            dmaMappings = listener;
        }

        @Override
        public void migration(OpaqueMigration migration) {
            requireOneMigration();
            opaque = migration;
        }

        @Override
        public void migration(RecordMigration migration) {
            requireOneMigration();
            records = migration;
        }

        @Override
        public void functionReset() {
            LOG.info("function-level reset requested by the device's registers");
            reset();
        }

        private void requireOneMigration() {
            requireOpen("migration");
            if (opaque != null || records != null) {
                throw new IllegalArgumentException("migration is declared twice");
            }
        }

        private void requireOpen(String what) {
            if (!open) {
                throw new IllegalStateException(what + " may be declared only during define()");
            }
        }
    }
}
