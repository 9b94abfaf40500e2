package dev.vfiosim.simulator.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.api.DeviceHost;
import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.IrqLayout;
import dev.vfiosim.simulator.api.OpaqueMigration;
import dev.vfiosim.simulator.api.RecordMigration;
import dev.vfiosim.simulator.api.RegionSpec;
import dev.vfiosim.simulator.api.RunState;
import dev.vfiosim.simulator.device.state.CodecStateRecord;
import dev.vfiosim.simulator.device.state.StateRecordDeclaration;
import dev.vfiosim.simulator.fault.FaultAction;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FaultPlan;
import dev.vfiosim.simulator.fault.FaultRule;
import dev.vfiosim.simulator.fault.FaultSite;
import dev.vfiosim.simulator.fault.FaultTrigger;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.migration.DeviceIdentity;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.migration.MigrationImage;
import dev.vfiosim.simulator.migration.MigrationState;
import dev.vfiosim.simulator.pci.PciHeader;
import dev.vfiosim.simulator.pci.PciIdentity;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The host's side of the device API, without a server: checks, run control, both migration styles. */
class HostedDeviceTest {
    static final PciIdentity ID = new PciIdentity(0x1b36, 0x0010, 0, 0xff0000, 0x1b36, 0);

    @StateRecordDeclaration(tag = 1, name = "value")
    record Value(long value) {
    }

    /** One 16-byte read-only register block in BAR0; migrates its value as a record or as 8 opaque bytes. */
    static final class Tiny implements DeviceModel, OpaqueMigration {
        final boolean opaque;
        final List<String> heard = new ArrayList<>();
        long value;
        ByteBuffer stream;

        Tiny(boolean opaque) {
            this.opaque = opaque;
        }

        @Override
        public void define(DeviceHost host) {
            PciHeader.define(host.config(), ID);
            host.region(0, new RegionSpec(16, true, false, new RegionSpec.Handler() {
                @Override
                public void read(long offset, ByteBuffer dst) {
                    dst.put(ByteBuffer.allocate(16).putLong(0, value).position((int) offset).limit((int) offset + dst.remaining()));
                }

                @Override
                public void write(long offset, ByteBuffer src) {
                    throw new AssertionError("the host refuses writes to a read-only region");
                }
            }, Optional.empty(), List.of(), 0));
            host.interrupts(new IrqLayout(1, 0, 0, 0, 0));
            if (opaque) {
                host.migration(this);
            } else {
                host.migration(new RecordMigration(new MigrationImage(new DeviceIdentity(ID.vendorId(), ID.deviceId(), 1),
                        MigrationFeatures.WITH_P2P, List.of(new CodecStateRecord<>(Value.class, () -> new Value(value),
                                v -> value = v.value())), Optional.empty()), this));
            }
        }

        @Override
        public void runState(RunState state) {
            heard.add(state.name());
        }

        @Override
        public void reset() {
            value = 0;
            heard.add("reset");
        }

        @Override
        public MigrationFeatures features() {
            return MigrationFeatures.WITH_P2P;
        }

        @Override
        public void transition(MigrationState from, MigrationState to) {
            heard.add(from + "->" + to);
            if (!opaque) {
                return; // the records carry the value
            }
            if (to == MigrationState.STOP_COPY) {
                stream = ByteBuffer.allocate(8).putLong(0, value);
            } else if (to == MigrationState.RESUMING) {
                stream = ByteBuffer.allocate(8);
            } else if (from == MigrationState.RESUMING) {
                value = stream.getLong(0);
            }
        }

        @Override
        public int readData(ByteBuffer dst) {
            int n = Math.min(dst.remaining(), stream.remaining());
            dst.put(stream.slice(stream.position(), n));
            stream.position(stream.position() + n);
            return n;
        }

        @Override
        public void writeData(ByteBuffer src) {
            stream.put(src);
        }
    }

    private static HostedDevice host(Tiny model) {
        return new HostedDevice(model, SharedMemoryAllocator.HEAP);
    }

    @Test
    void checksEveryAccessBeforeTheModelSeesIt() {
        Tiny model = new Tiny(false);
        model.value = 0x0102030405060708L;
        HostedDevice dev = host(model);
        ByteBuffer eight = ByteBuffer.allocate(8);
        dev.readRegion(0, 0, eight);
        assertEquals(0x0102030405060708L, eight.getLong(0));
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> dev.readRegion(0, 12, ByteBuffer.allocate(8))).errno());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> dev.writeRegion(0, 0, ByteBuffer.allocate(4))).errno(),
                "read-only region");
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> dev.readRegion(1, 0, ByteBuffer.allocate(4))).errno(),
                "undeclared region");
        assertEquals(ID.vendorId(), dev.config().read(PciHeader.VENDOR_ID, 2));
        assertEquals(1, dev.irqInfo(IrqType.INTX.index()).count());
        assertEquals(0, dev.irqInfo(IrqType.ERR.index()).count(), "as the layout said");
        assertThrows(IllegalStateException.class, () -> new HostedDevice(new DeviceModel() {
            DeviceHost kept;

            @Override
            public void define(DeviceHost host) {
                kept = host;
            }

            @Override
            public void reset() {
                kept.configSize(256);
            }
        }, SharedMemoryAllocator.HEAP).reset(), "declarations are closed after define");
    }

    @Test
    void recordStyleRoundTripsAndTellsTheModelEveryArcAndRunState() {
        Tiny a = new Tiny(false);
        a.value = 42;
        HostedDevice src = host(a);
        src.migration().setState(VfioMigration.STOP_COPY);
        byte[] stream = new byte[(int) src.migration().stopCopySize()];
        ByteBuffer dst = ByteBuffer.wrap(stream);
        while (src.migration().read(dst) > 0) {
            assertTrue(dst.position() <= stream.length);
        }
        // the kernel's path with P2P: through RUNNING_P2P, one callback per arc, run state with its arc
        assertEquals(List.of("RUNNING->RUNNING_P2P", "QUIESCED", "RUNNING_P2P->STOP", "STOPPED", "STOP->STOP_COPY"), a.heard);

        Tiny b = new Tiny(false);
        HostedDevice dstDev = host(b);
        dstDev.migration().setState(VfioMigration.RESUMING);
        dstDev.migration().write(ByteBuffer.wrap(stream, 0, dst.position()));
        dstDev.migration().setState(VfioMigration.RUNNING_P2P);
        assertEquals(42, b.value);
        assertEquals(List.of("RUNNING->RUNNING_P2P", "QUIESCED", "RUNNING_P2P->STOP", "STOPPED", "STOP->RESUMING",
                "RESUMING->STOP", "STOP->RUNNING_P2P", "QUIESCED"), b.heard);
        dstDev.reset();
        assertEquals(VfioMigration.RUNNING, dstDev.migration().state());
        assertEquals(1, dstDev.resetCount());
    }

    @Test
    void opaqueStyleCarriesTheModelsOwnBytesAndChecksTheState() {
        Tiny a = new Tiny(true);
        a.value = -7;
        HostedDevice src = host(a);
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> src.migration().read(ByteBuffer.allocate(8))).errno(),
                "no data outside a save state");
        src.migration().setState(VfioMigration.STOP_COPY);
        ByteBuffer bytes = ByteBuffer.allocate(16);
        assertEquals(8, src.migration().read(bytes));
        assertEquals(0, src.migration().read(bytes), "the end");

        Tiny b = new Tiny(true);
        HostedDevice dst = host(b);
        dst.migration().setState(VfioMigration.RESUMING);
        dst.migration().write(bytes.flip());
        dst.migration().setState(VfioMigration.RUNNING);
        assertEquals(-7, b.value);
        assertEquals(List.of("RUNNING->RUNNING_P2P", "QUIESCED", "RUNNING_P2P->STOP", "STOPPED", "STOP->RESUMING",
                "RESUMING->STOP", "STOP->RUNNING_P2P", "QUIESCED", "RUNNING_P2P->RUNNING", "RUNNING"), b.heard);
    }

    @Test
    void anArcFaultRefusesBeforeTheModelHearsOfTheArc() {
        Tiny a = new Tiny(true);
        HostedDevice dev = host(a);
        FaultRule rule = new FaultRule("no-stop", new FaultSite.ArcSite("RUNNING", "RUNNING_P2P"), new FaultTrigger.Always(),
                new FaultAction.FailArc(false, Errno.EBUSY));
        dev.injectFaults(new FaultInjector(new FaultPlan(1, List.of(rule))));
        assertEquals(Errno.EBUSY, assertThrows(DeviceException.class, () -> dev.migration().setState(VfioMigration.STOP)).errno(),
                "RUNNING -> STOP goes through RUNNING_P2P, whose arc the plan refuses");
        assertEquals(VfioMigration.RUNNING, dev.migration().state());
        assertEquals(List.of(), a.heard);
    }
}
