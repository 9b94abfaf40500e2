package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.device.bulk.BulkState;
import dev.vfiosim.simulator.device.bulk.BulkStateActivity;
import dev.vfiosim.simulator.device.engine.DeviceEngine;
import dev.vfiosim.simulator.device.engine.EngineState;
import dev.vfiosim.simulator.device.engine.HcaCapabilities;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.migration.DeviceIdentity;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.irq.InterruptSink;
import dev.vfiosim.simulator.irq.IrqCounts;
import dev.vfiosim.simulator.irq.IrqInfo;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.irq.MsixTable;
import dev.vfiosim.simulator.pci.CapabilityListBuilder;
import dev.vfiosim.simulator.pci.ConfigSpace;
import dev.vfiosim.simulator.pci.DeviceSerialNumberCapability;
import dev.vfiosim.simulator.pci.MsixCapability;
import dev.vfiosim.simulator.pci.PciExpressCapability;
import dev.vfiosim.simulator.pci.PciHeader;
import dev.vfiosim.simulator.pci.PciIdentity;
import dev.vfiosim.simulator.pci.PowerManagementCapability;
import dev.vfiosim.simulator.pci.RegionInfo;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import dev.vfiosim.simulator.pci.VendorSpecificExtendedCapability;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An mlx5-style Ethernet virtual function: config space with PM, MSI-X and PCIe capabilities plus
 * a serial number, BAR0 as laid out in {@link Bar0}, MSI-X/INTx/ERR/REQ interrupts. See
 * docs/device.md for the register maps and the rules.
 */
public final class Mlx5VirtualFunction implements VfioDevice {
    public static final int MELLANOX = 0x15b3;
    public static final int CONNECTX_VIRTUAL_FUNCTION = 0x101e;
    public static final int ETHERNET_CONTROLLER = 0x020000;
    public static final int SUBSYSTEM_ID = 0x0001;
    public static final PciIdentity IDENTITY = new PciIdentity(
            MELLANOX, CONNECTX_VIRTUAL_FUNCTION, 0, ETHERNET_CONTROLLER, MELLANOX, SUBSYSTEM_ID);
    /** VSEC ID of the vendor-specific extended capability that names this model's revision. */
    public static final int MODEL_VSEC_ID = 0x0001;
    public static final int MODEL_REVISION = 1;
    public static final int IRQ_TYPES = IrqType.values().length;

    private static final Logger LOG = LoggerFactory.getLogger(Mlx5VirtualFunction.class);

    /** Swapped by the server's connection thread, read by device threads. */
    private volatile Dma dma = Dma.NONE;
    private final ConfigSpace config = new ConfigSpace();
    private final MsixTable msix;
    private final VmmOwnedState vmmOwned;
    private final DeviceOwnedState deviceOwned;
    private final InterruptController interrupts;
    private final SharedMemory deviceMemory;
    private final Bar0 bar0;
    private final DeviceEngine engine;
    private final BulkState bulkState;
    private final BulkStateActivity bulkActivity;
    private final DeviceMigration migration;
    private final int msixCapability;
    private final int pciExpressCapability;
    private final AtomicLong resets = new AtomicLong();

    public Mlx5VirtualFunction(SharedMemoryAllocator allocator) {
        this(allocator, VirtualFunctionConfig.defaults());
    }

    public Mlx5VirtualFunction(SharedMemoryAllocator allocator, VirtualFunctionConfig settings) {
        PciHeader.define(config, IDENTITY);
        Bar0.DESCRIPTOR.define(config);
        CapabilityListBuilder capabilities = new CapabilityListBuilder(config);
        capabilities.add(new PowerManagementCapability());
        msixCapability = capabilities.add(
                new MsixCapability(settings.msixVectors(), Bar0.DESCRIPTOR.index(), Bar0.MSIX_TABLE, Bar0.MSIX_PBA));
        pciExpressCapability = capabilities.add(new PciExpressCapability());
        capabilities.add(new DeviceSerialNumberCapability(settings.serialNumber()));
        capabilities.add(new VendorSpecificExtendedCapability(MODEL_VSEC_ID, MODEL_REVISION, new int[] {MODEL_REVISION}));

        msix = new MsixTable(settings.msixVectors());
        vmmOwned = new VmmOwnedState(config, msix);
        deviceOwned = new DeviceOwnedState(new RunningClock(settings.nanoTime()), settings.bootDelay().toNanos());
        interrupts = new InterruptController(config, msixCapability, msix);
        deviceMemory = allocator.allocate("mlx5-vf-bar0", (int) Bar0.SIZE);
        bar0 = new Bar0(deviceOwned.initSegment(), deviceOwned.health(),
                interrupts.msixTableRegisters(), interrupts.pbaRegisters(), deviceMemory, deviceOwned.doorbells(),
                deviceOwned.uars());
        bulkState = new BulkState(allocator, settings.bulkState().bytes());
        RunningClock clock = deviceOwned.clock();
        bulkActivity = new BulkStateActivity(bulkState, settings.bulkState(), clock::runningNanos);
        engine = new DeviceEngine("mlx5-vf-engine", deviceOwned.initSegment(), deviceOwned.doorbells(), this::dma,
                interrupts::fire, HcaCapabilities.of(settings.msixVectors(), bulkState.bytes(), settings.ethernet(), settings.serialNumber()),
                clock::runningNanos);
        deviceOwned.attach(engine, bulkState, bulkActivity);
        migration = new DeviceMigration(this, settings.migration(),
                new DeviceIdentity(IDENTITY.vendorId(), IDENTITY.deviceId(), MODEL_REVISION), settings.deviceRevision());
        watchConfigRegisters();
    }

    /** The config registers whose writes the device acts on; everything else is plain storage. */
    private void watchConfigRegisters() {
        config.onWrite(PciHeader.COMMAND, 2, (before, requested, after) -> {
            if (((before ^ after) & PciHeader.COMMAND_BUS_MASTER) != 0) {
                LOG.debug("bus master {}", (after & PciHeader.COMMAND_BUS_MASTER) != 0 ? "enabled" : "disabled");
            }
            interrupts.commandWritten();
        });
        config.onWrite(msixCapability + MsixCapability.MESSAGE_CONTROL, 2,
                (before, requested, after) -> interrupts.msixControlWritten());
        config.onWrite(pciExpressCapability + PciExpressCapability.DEVICE_CONTROL, 2, (before, requested, after) -> {
            if ((requested & PciExpressCapability.INITIATE_FLR) != 0) {
                LOG.info("function-level reset requested through Device Control");
                reset();
            }
        });
    }

    @Override
    public int regionCount() {
        return VfioRegion.COUNT;
    }

    @Override
    public int irqCount() {
        return IRQ_TYPES;
    }

    @Override
    public RegionInfo regionInfo(int index) {
        return switch (checkRegionIndex(index)) {
            case VfioRegion.BAR0 -> new RegionInfo(VfioRegion.BAR0, Bar0.SIZE, true, true,
                    List.of(Bar0.MAPPABLE), Optional.of(deviceMemory), 0);
            case VfioRegion.CONFIG -> RegionInfo.trapped(VfioRegion.CONFIG, ConfigSpace.SIZE);
            default -> RegionInfo.absent(index);
        };
    }

    @Override
    public void readRegion(int index, long offset, ByteBuffer dst) {
        int at = checkRegionRange(index, offset, dst.remaining());
        if (dst.remaining() == 0) {
            return;
        }
        if (index == VfioRegion.CONFIG) {
            config.read(at, dst);
        } else {
            bar0.read(at, dst);
        }
    }

    @Override
    public void writeRegion(int index, long offset, ByteBuffer src) {
        int at = checkRegionRange(index, offset, src.remaining());
        if (src.remaining() == 0) {
            return;
        }
        if (index == VfioRegion.CONFIG) {
            config.write(at, src);
        } else {
            bar0.write(at, src);
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
    public void connectDma(Dma dma) {
        this.dma = dma;
    }

    /** The guest-memory port the device uses right now. */
    public Dma dma() {
        return dma;
    }

    @Override
    public void connectInterrupts(InterruptSink sink) {
        interrupts.connect(sink);
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

    /**
     * DEVICE_RESET and FLR: device-owned state back to power-on (initialising, no command queue,
     * clock from zero, device memory zeroed), pending interrupts forgotten, and the migration state
     * back to RUNNING with any session dropped. Config space, the
     * MSI-X table and the interrupt wiring are VMM-owned and kept: vfio-pci restores a function's
     * config after the FLR it issues for DEVICE_RESET, and a VMM restoring config during a
     * migration must not see it wiped.
     */
    @Override
    public void reset() {
        deviceOwned.reset();
        bar0.clearDeviceMemory();
        interrupts.clearPending();
        interrupts.quiesce(false);
        // the uAPI's only way out of ERROR: back to RUNNING, any save or resume session dropped
        migration.reset();
        resets.incrementAndGet();
        LOG.debug("function reset");
    }

    @Override
    public void close() {
        engine.close();
        bulkActivity.close();
        bulkState.close();
        deviceMemory.close();
    }

    /** The interrupt controller: {@code fire}/{@code raise} interrupts, counters, pending state. */
    public InterruptController interrupts() {
        return interrupts;
    }

    public VmmOwnedState vmmOwnedState() {
        return vmmOwned;
    }

    public DeviceOwnedState deviceOwnedState() {
        return deviceOwned;
    }

    /**
     * Stops the device as a stopped migration state needs it: returns once the engine has finished
     * its in-flight unit of work and the bulk activity its write; from then on no DMA, no interrupt,
     * no bulk-state write and no running time until {@link #resume()}. Doorbells rung meanwhile are
     * latched and processed after resume. Idempotent.
     */
    public void pause() {
        engine.pause();
        bulkActivity.pause();
        deviceOwned.clock().pause();
        interrupts.quiesce(true);
    }

    /** STOP → RUNNING_P2P: time and internal activity go on, the engine (DMA, interrupts) stays stopped. */
    void resumeWithoutEngine() {
        interrupts.quiesce(false);
        deviceOwned.clock().resume();
        bulkActivity.resume();
    }

    @Override
    public void injectFaults(FaultInjector faults) {
        migration.useFaults(faults);
    }

    @Override
    public DeviceMigration migration() {
        return migration;
    }

    public void resume() {
        interrupts.quiesce(false);
        deviceOwned.clock().resume();
        bulkActivity.resume();
        engine.resume();
    }

    /** The device's own thread: pause state, idle/drained, state records (see {@link DeviceEngine}). */
    public DeviceEngine engine() {
        return engine;
    }

    /** The device-owned internal memory and its dirty pages. */
    public BulkState bulkState() {
        return bulkState;
    }

    /** The memory behind BAR0's device memory window (the same one the client may mmap). */
    public SharedMemory deviceMemory() {
        return deviceMemory;
    }

    public int msixCapabilityOffset() {
        return msixCapability;
    }

    public int pciExpressCapabilityOffset() {
        return pciExpressCapability;
    }

    /**
     * Resets, HCA state, interrupts per type, and each queue's counters: what a VMM engineer asks
     * first when traffic stops. The engine is held between two units of work for the copy.
     */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("resets", resetCount());
        s.put("engineIdle", engine.idle());
        s.put("enginePaused", engine.paused());
        EngineState state = engine.state();
        s.put("hca", state.commands().hca().name());
        Map<String, Object> irqs = new LinkedHashMap<>();
        for (IrqType type : IrqType.values()) {
            IrqCounts c = interrupts.counts(type);
            if (c.delivered() + c.pended() + c.lost() > 0) {
                irqs.put(type.name(), Map.of("delivered", c.delivered(), "held", c.pended(), "lost", c.lost()));
            }
        }
        s.put("interrupts", irqs);
        s.put("eventQueues", state.eventQueues().stream().map(q -> queue(q.number(), "events", q.events(),
                "overruns", q.overruns(), "dmaFaults", q.dmaFaults(), "msixVector", q.msixVector())).toList());
        s.put("completionQueues", state.completionQueues().stream().map(q -> queue(q.number(), "completions",
                q.completions(), "dmaFaults", q.dmaFaults(), "eventQueue", q.eventQueue())).toList());
        s.put("sendQueues", state.sendQueues().stream().map(q -> queue(q.number(), "packets", q.counters().packets(),
                "bytes", q.counters().bytes(), "drops", q.counters().drops(), "dmaFaults", q.counters().dmaFaults())).toList());
        s.put("receiveQueues", state.receiveQueues().stream().map(q -> queue(q.number(), "packets",
                q.counters().packets(), "bytes", q.counters().bytes(), "drops", q.counters().drops(), "dmaFaults",
                q.counters().dmaFaults())).toList());
        return s;
    }

    private static Map<String, Object> queue(int number, Object... namesAndValues) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("number", number);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            q.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return q;
    }

    /** Resets (DEVICE_RESET or FLR) since creation. */
    public long resetCount() {
        return resets.get();
    }

    private static IrqType checkType(IrqType type) {
        if (type == null) {
            throw new DeviceException(Errno.EINVAL, "no IRQ type given");
        }
        return type;
    }

    private int checkRegionIndex(int index) {
        if (index < 0 || index >= regionCount()) {
            throw new DeviceException(Errno.EINVAL, "region index " + index + " is not within 0.." + (regionCount() - 1));
        }
        return index;
    }

    private int checkRegionRange(int index, long offset, int length) {
        long size = regionInfo(index).size();
        if (size == 0) {
            throw new DeviceException(Errno.EINVAL, "region " + index + " is not implemented (size 0)");
        }
        if (offset < 0 || offset > size - length) {
            throw new DeviceException(Errno.EINVAL, "access of " + length + " bytes at offset 0x" + Long.toHexString(offset)
                    + " is outside region " + index + " (size 0x" + Long.toHexString(size) + ")");
        }
        return (int) offset;
    }

    @Override
    public String toString() {
        return String.format("mlx5 VF %04x:%04x (%d MSI-X vectors)", IDENTITY.vendorId(), IDENTITY.deviceId(),
                interrupts().info(IrqType.MSIX).count());
    }
}
