package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.api.DeviceHost;
import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.IrqLayout;
import dev.vfiosim.simulator.api.RegionSpec;
import dev.vfiosim.simulator.api.RunState;
import dev.vfiosim.simulator.device.bulk.BulkState;
import dev.vfiosim.simulator.device.bulk.BulkStateActivity;
import dev.vfiosim.simulator.device.engine.DeviceEngine;
import dev.vfiosim.simulator.device.engine.HcaCapabilities;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.migration.DeviceIdentity;
import dev.vfiosim.simulator.pci.CapabilityListBuilder;
import dev.vfiosim.simulator.pci.ConfigSpace;
import dev.vfiosim.simulator.pci.DeviceSerialNumberCapability;
import dev.vfiosim.simulator.pci.MsixCapability;
import dev.vfiosim.simulator.pci.PciExpressCapability;
import dev.vfiosim.simulator.pci.PciHeader;
import dev.vfiosim.simulator.pci.PowerManagementCapability;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.VendorSpecificExtendedCapability;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mlx5-style Ethernet virtual function as a {@link DeviceModel}: config space with PM, MSI-X and
 * PCIe capabilities plus a serial number and the model-revision VSEC, BAR0 as laid out in
 * {@link Bar0} (its device memory window mmappable), MSI-X/INTx/ERR/REQ interrupts, and migration
 * in the record style ({@link DeviceMigration}). Its parts see the outside only through the host's
 * ports: {@link DeviceEngine} does DMA through {@link DeviceHost#dma()} and raises interrupts through
 * the host's controller. See docs/device.md for the register maps and the rules.
 */
public final class Mlx5Function implements DeviceModel {
    private static final Logger LOG = LoggerFactory.getLogger(Mlx5Function.class);

    private final VirtualFunctionConfig settings;
    private final DeviceOwnedState deviceOwned;
    private InterruptController interrupts;
    private VmmOwnedState vmmOwned;
    private SharedMemory deviceMemory;
    private Bar0 bar0;
    private DeviceEngine engine;
    private BulkState bulkState;
    private BulkStateActivity bulkActivity;
    private Mlx5StateRecords migration;
    private Dma dma;
    private int msixCapability;
    private int pciExpressCapability;
    private RunState runState = RunState.RUNNING;

    public Mlx5Function(VirtualFunctionConfig settings) {
        this.settings = settings;
        this.deviceOwned = new DeviceOwnedState(new RunningClock(settings.nanoTime()), settings.bootDelay().toNanos());
    }

    @Override
    public void define(DeviceHost host) {
        ConfigSpace config = host.config();
        PciHeader.define(config, Mlx5VirtualFunction.IDENTITY);
        Bar0.DESCRIPTOR.define(config);
        CapabilityListBuilder capabilities = new CapabilityListBuilder(config);
        capabilities.add(new PowerManagementCapability());
        msixCapability = capabilities.add(
                new MsixCapability(settings.msixVectors(), Bar0.DESCRIPTOR.index(), Bar0.MSIX_TABLE, Bar0.MSIX_PBA));
        pciExpressCapability = capabilities.add(new PciExpressCapability());
        capabilities.add(new DeviceSerialNumberCapability(settings.serialNumber()));
        capabilities.add(new VendorSpecificExtendedCapability(Mlx5VirtualFunction.MODEL_VSEC_ID,
                Mlx5VirtualFunction.MODEL_REVISION, new int[] {Mlx5VirtualFunction.MODEL_REVISION}));

        interrupts = host.interrupts(IrqLayout.withMsix(settings.msixVectors(), msixCapability));
        dma = host.dma();
        vmmOwned = new VmmOwnedState(config, interrupts.msixTable());
        deviceMemory = host.memory().allocate("mlx5-vf-bar0", (int) Bar0.SIZE);
        bar0 = new Bar0(deviceOwned.initSegment(), deviceOwned.health(),
                interrupts.msixTableRegisters(), interrupts.pbaRegisters(), deviceMemory, deviceOwned.doorbells(),
                deviceOwned.uars());
        host.region(VfioRegion.BAR0, RegionSpec.mappable(Bar0.SIZE, new RegionSpec.Handler() {
            @Override
            public void read(long offset, ByteBuffer dst) {
                bar0.read((int) offset, dst);
            }

            @Override
            public void write(long offset, ByteBuffer src) {
                bar0.write((int) offset, src);
            }
        }, deviceMemory, List.of(Bar0.MAPPABLE)));
        bulkState = new BulkState(host.memory(), settings.bulkState().bytes());
        RunningClock clock = deviceOwned.clock();
        bulkActivity = new BulkStateActivity(bulkState, settings.bulkState(), clock::runningNanos);
        InterruptController irq = interrupts;
        engine = new DeviceEngine("mlx5-vf-engine", deviceOwned.initSegment(), deviceOwned.doorbells(), () -> dma,
                irq::fire, HcaCapabilities.of(settings.msixVectors(), bulkState.bytes(), settings.ethernet(),
                        settings.serialNumber()),
                clock::runningNanos);
        deviceOwned.attach(engine, bulkState, bulkActivity);
        migration = new Mlx5StateRecords(deviceOwned, engine, deviceMemory, bulkState, settings.migration(),
                new DeviceIdentity(Mlx5VirtualFunction.IDENTITY.vendorId(), Mlx5VirtualFunction.IDENTITY.deviceId(),
                        Mlx5VirtualFunction.MODEL_REVISION),
                settings.deviceRevision());
        host.migration(migration.recordMigration());
        watchConfigRegisters(config, host);
    }

    /** The config registers whose writes the device acts on; everything else is plain storage. */
    private void watchConfigRegisters(ConfigSpace config, DeviceHost host) {
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
                host.functionReset();
            }
        });
    }

    /**
     * The migration state's run control, arc by arc as before the device API: the P2P states stop
     * only the engine (the only initiator of DMA and device interrupts), STOPPED stops everything.
     */
    @Override
    public synchronized void runState(RunState target) {
        RunState from = runState;
        switch (target) {
            case STOPPED -> pause();
            case QUIESCED -> {
                if (from == RunState.STOPPED) {
                    resumeWithoutEngine();
                } else {
                    engine.pause();
                }
            }
            case RUNNING -> {
                if (from == RunState.QUIESCED) {
                    engine.resume();
                } else {
                    resume();
                }
            }
        }
        runState = target;
    }

    /**
     * DEVICE_RESET and FLR: device-owned state back to power-on (initialising, no command queue,
     * clock from zero, device memory zeroed). The host keeps config space, the MSI-X table and the
     * interrupt wiring, forgets pending interrupts and drops migration sessions.
     */
    @Override
    public synchronized void reset() {
        deviceOwned.reset();
        bar0.clearDeviceMemory();
        runState = RunState.RUNNING; // a reset function runs (engine and bulk activity included)
    }

    /** Releases what {@link #define} made; safe after a define that failed half-way. */
    @Override
    public void close() {
        for (AutoCloseable part : new AutoCloseable[] {engine, bulkActivity, bulkState, deviceMemory}) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", part, e.getMessage());
                }
            }
        }
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
    private void resumeWithoutEngine() {
        interrupts.quiesce(false);
        deviceOwned.clock().resume();
        bulkActivity.resume();
    }

    public void resume() {
        interrupts.quiesce(false);
        deviceOwned.clock().resume();
        bulkActivity.resume();
        engine.resume();
    }

    InterruptController interrupts() {
        return interrupts;
    }

    VmmOwnedState vmmOwnedState() {
        return vmmOwned;
    }

    DeviceOwnedState deviceOwnedState() {
        return deviceOwned;
    }

    Mlx5StateRecords migrationRecords() {
        return migration;
    }

    DeviceEngine engine() {
        return engine;
    }

    BulkState bulkState() {
        return bulkState;
    }

    SharedMemory deviceMemory() {
        return deviceMemory;
    }

    int msixCapabilityOffset() {
        return msixCapability;
    }

    int pciExpressCapabilityOffset() {
        return pciExpressCapability;
    }

    int msixVectors() {
        return settings.msixVectors();
    }
}
