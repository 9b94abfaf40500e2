package dev.vfiosim.simulator.sample;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioMigration.PrecopyInfo;
import dev.vfiosim.simulator.api.DeviceHost;
import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.IrqLayout;
import dev.vfiosim.simulator.api.OpaqueMigration;
import dev.vfiosim.simulator.api.RegionSpec;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaMappingListener;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.migration.MigrationState;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SparseArea;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvfio-user's {@code samples/server.c} device on the device API: the parts of this package put
 * together and declared to the host.
 *
 * <pre>
 * region 0 BAR0    8 bytes, trapped       the timer register ({@link TimerRegister})
 * region 1 BAR1    0x3000 bytes, mappable [0, 0x1000) and [0x2000, 0x3000) ({@link Bar1Storage})
 * region 7 config  256 bytes              libvfio-user's emulation ({@link SampleConfigSpace})
 * irqs             INTx 1, MSI 0, MSI-X 0, ERR 1, REQ 1
 * migration        opaque bytes, STOP_COPY | PRE_COPY ({@link SampleMigrationData})
 * </pre>
 * Regions 2-6 and 8 are absent. While the device is in STOP_COPY every region access fails with
 * EINVAL, as libvfio-user refuses them there.
 */
public final class SampleModel implements DeviceModel {
    private static final Logger LOG = LoggerFactory.getLogger(SampleModel.class);
    public static final List<SparseArea> BAR1_AREAS = List.of(new SparseArea(0, 0x1000), new SparseArea(0x2000, 0x1000));

    private final SampleConfigSpace config = new SampleConfigSpace(TimerRegister.SIZE, Bar1Storage.SIZE, 0, 0, 0, 0);
    private final DmaSlots slots = new DmaSlots();
    private final SampleAlarm alarm = new SampleAlarm(this::expire);
    private final TimerRegister timer;
    private Bar1Storage bar1;
    private SampleMigrationData migration;
    private TimerExpiry expiry;
    private InterruptController irq;
    private volatile TimerExpiry.Outcome lastExpiry;

    /** The sample on the wall clock. */
    public SampleModel() {
        this(() -> System.currentTimeMillis() / 1000);
    }

    /** The sample on {@code epochSeconds} (tests give their own clock). */
    public SampleModel(LongSupplier epochSeconds) {
        this.timer = new TimerRegister(epochSeconds, alarm, () -> migration != null && migration.running());
    }

    @Override
    public void define(DeviceHost host) {
        SharedMemory memory = host.memory().allocate("sample-bar1", Bar1Storage.SIZE);
        bar1 = new Bar1Storage(memory);
        migration = new SampleMigrationData(bar1, timer);
        host.region(VfioRegion.BAR0, RegionSpec.trapped(TimerRegister.SIZE, gated(timer::read, timer::write)));
        host.region(1, RegionSpec.mappable(Bar1Storage.SIZE, gated(bar1::read, bar1::write), memory, BAR1_AREAS));
        host.region(VfioRegion.CONFIG, RegionSpec.trapped(SampleConfigSpace.SIZE, gated(config::read, config::write)));
        irq = host.interrupts(IrqLayout.INTX_ONLY);
        Dma dma = host.dma();
        expiry = new TimerExpiry(slots, new TimerExpiry.Ports() {
            @Override
            public boolean raiseIntx() {
                if (!irq.triggerAssigned(IrqType.INTX, 0)) {
                    return false;
                }
                irq.raise(IrqType.INTX, 0);   // upstream writes the eventfd once: a pulse, not a level
                irq.lowerIntx();
                return true;
            }

            @Override
            public Dma direct() {
                return dma;
            }

            @Override
            public Dma messages() {
                return dma.viaMessages();
            }
        }, System.out);
        host.migration(new Migration());
        host.dmaMappings(new SlotTable());
    }

    private interface Access {
        void apply(long offset, ByteBuffer data);
    }

    /** A region handler that refuses every access in STOP_COPY, then hands it to the part. */
    private RegionSpec.Handler gated(Access read, Access write) {
        return new RegionSpec.Handler() {
            @Override
            public void read(long offset, ByteBuffer dst) {
                refuseInStopCopy();
                read.apply(offset, dst);
            }

            @Override
            public void write(long offset, ByteBuffer src) {
                refuseInStopCopy();
                write.apply(offset, src);
            }
        };
    }

    private void refuseInStopCopy() {
        if (migration.state() == SampleState.STOP_AND_COPY) {
            throw new DeviceException(Errno.EINVAL, "region access refused in STOP_COPY");
        }
    }

    /** libvfio-user's dma_register / dma_unregister: the sample's slot table. */
    private final class SlotTable implements DmaMappingListener {
        @Override
        public void mapped(long iova, long size, boolean readable, boolean writable) {
            try {
                slots.register(iova, size, readable, writable);
            } catch (DmaSlots.SlotsFullException e) {
                LOG.error("{}: the mapping at 0x{} is not in the sample's table (upstream exits here)",
                        e.getMessage(), Long.toHexString(iova));
            }
        }

        @Override
        public void unmapped(long iova, long size) {
            slots.unregister(iova, size);
        }
    }

    private void expire() {
        try {
            lastExpiry = expiry.run();
        } catch (RuntimeException e) {
            LOG.error("timer expiry failed", e);
            lastExpiry = TimerExpiry.Outcome.DMA_FAILED;
        }
    }

    /** How the last timer expiry ended, {@code null} before the first. */
    public TimerExpiry.Outcome lastExpiry() {
        return lastExpiry;
    }

    /** The sample's reset callback only logs: BAR0, BAR1, the timer, DMA slots and IRQs are untouched. */
    @Override
    public void reset() {
        LOG.debug("device reset callback");
    }

    @Override
    public void close() {
        alarm.close();
    }

    private final class Migration implements OpaqueMigration {
        @Override
        public MigrationFeatures features() {
            return MigrationFeatures.WITH_PRE_COPY;
        }

        @Override
        public void transition(MigrationState from, MigrationState to) {
            migration.enter(SampleState.ofVfioUser(to.value()));
        }

        @Override
        public int readData(ByteBuffer dst) {
            return migration.read(dst);
        }

        @Override
        public void writeData(ByteBuffer src) {
            int wanted = src.remaining();
            int n = migration.write(src);
            if (n != wanted) {
                throw new DeviceException(Errno.EINVAL, "MIG_DATA_WRITE of " + wanted + " bytes, only " + n
                        + " fit the " + SampleMigrationData.STOP_COPY_SIZE + "-byte stream");
            }
        }

        @Override
        public long stopCopySize() {
            return SampleMigrationData.STOP_COPY_SIZE;
        }

        @Override
        public PrecopyInfo precopyInfo() {
            return new PrecopyInfo(migration.remaining(), 0);
        }
    }
}
