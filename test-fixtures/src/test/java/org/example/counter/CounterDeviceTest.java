package org.example.counter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.fixtures.client.ErrorReply;
import dev.vfiosim.fixtures.client.RegionDescription;
import dev.vfiosim.fixtures.client.VfioUserClient;
import dev.vfiosim.fixtures.fault.Faults;
import dev.vfiosim.fixtures.junit.SimulatedDevice;
import dev.vfiosim.server.protocol.DeviceInfo;
import dev.vfiosim.server.protocol.DmaMap;
import dev.vfiosim.server.protocol.IrqSet;
import dev.vfiosim.server.protocol.RegionInfoMessage;
import dev.vfiosim.server.session.IrqRestorePolicy;
import dev.vfiosim.server.transport.EventFd;
import dev.vfiosim.server.transport.FileDescriptors;
import dev.vfiosim.server.transport.MemfdSharedMemory;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.api.DeviceModels;
import dev.vfiosim.simulator.api.DeviceOptions;
import dev.vfiosim.simulator.fault.FaultPlan;
import dev.vfiosim.simulator.fault.FaultSite.DmaKind;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.pci.PciHeader;
import dev.vfiosim.simulator.pci.SparseArea;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The device API from a user's side: a model written outside the project ({@link CounterDevice}),
 * found by ServiceLoader, served through a real socket, enumerated, driven (registers, DMA into
 * memfd-backed guest memory, an INTx eventfd), migrated between two instances, and fault-injected.
 */
class CounterDeviceTest {
    static final int BAR0 = 0;
    static final int BAR2 = 2;
    static final int CONFIG = 7;
    static final long GUEST = 0x40000;
    static final int GUEST_SIZE = 4 * 4096;
    static final Duration DELIVERY = Duration.ofSeconds(5);

    private static SimulatedDevice counter(FaultPlan plan) {
        return SimulatedDevice.start(CounterDeviceProvider.NAME, DeviceOptions.NONE, IrqRestorePolicy.ANY, plan);
    }

    private static CounterDevice model(SimulatedDevice dev) {
        return (CounterDevice) dev.hosted().model();
    }

    @Test
    void isFoundByServiceLoaderBesideTheMlx5Vf() {
        assertEquals(CounterDeviceProvider.class, DeviceModels.named(CounterDeviceProvider.NAME).getClass());
        assertEquals("mlx5-vf", DeviceModels.named(DeviceModels.DEFAULT).name());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> SimulatedDevice.start("no-such-device"));
        assertTrue(unknown.getMessage().contains(CounterDeviceProvider.NAME), unknown.getMessage());
        IllegalArgumentException option = assertThrows(IllegalArgumentException.class, () -> SimulatedDevice.start(
                CounterDeviceProvider.NAME, DeviceOptions.parse(List.of("colour=red")), IrqRestorePolicy.ANY, FaultPlan.EMPTY));
        assertTrue(option.getMessage().contains("colour"), option.getMessage());
    }

    @Test
    void enumeratesAsItDeclaredItself() {
        try (SimulatedDevice dev = counter(FaultPlan.EMPTY); VfioUserClient c = dev.attach()) {
            DeviceInfo info = c.deviceInfo();
            assertEquals(9, info.numRegions());
            assertEquals(5, info.numIrqs());
            assertEquals(CounterDevice.IDENTITY.vendorId(), c.readRegister(CONFIG, PciHeader.VENDOR_ID, 2));
            assertEquals(CounterDevice.IDENTITY.deviceId(), c.readRegister(CONFIG, PciHeader.DEVICE_ID, 2));
            assertEquals(256, c.regionInfo(CONFIG, 32).size(), "conventional PCI config space");
            assertEquals(CounterDevice.BAR0_SIZE, c.regionInfo(BAR0, 32).size());
            assertEquals(0, c.regionInfo(1, 32).size(), "undeclared regions are absent");
            RegionDescription bar2 = c.regionInfo(BAR2, 256);
            try {
                assertEquals(CounterDevice.BAR2_SIZE, bar2.size());
                assertTrue((bar2.flags() & RegionInfoMessage.FLAG_MMAP) != 0 && bar2.fd() >= 0, "mappable, with its fd");
                assertEquals(List.of(new SparseArea(0x1000, 0x1000)), bar2.sparseAreas());
            } finally {
                FileDescriptors.close(bar2.fd());
            }
            assertEquals(1, c.irqInfo(IrqType.INTX.index()).count());
            assertEquals(0, c.irqInfo(IrqType.MSIX.index()).count());
            assertEquals(1, c.irqInfo(IrqType.ERR.index()).count());
            assertEquals(Errno.EINVAL, assertThrows(ErrorReply.class, () -> c.read(BAR0, 2, 4)).errno(),
                    "the model's own refusal reaches the client");
            assertEquals(Errno.EINVAL, assertThrows(ErrorReply.class, () -> c.read(BAR0, CounterDevice.BAR0_SIZE, 4)).errno(),
                    "the host's range check");
        }
    }

    @Test
    void doesDmaAndRaisesItsInterrupt() throws Exception {
        try (SimulatedDevice dev = counter(FaultPlan.EMPTY); VfioUserClient c = dev.attach();
                MemfdSharedMemory ram = MemfdSharedMemory.create("guest", GUEST_SIZE); EventFd intx = EventFd.create()) {
            c.dmaMap(DmaMap.FLAG_READ | DmaMap.FLAG_WRITE, 0, GUEST, GUEST_SIZE, ram.fd());
            c.setIrqs(IrqSet.DATA_EVENTFD | IrqSet.ACTION_TRIGGER, IrqType.INTX.index(), 0, 1, null, intx.fd());
            ram.buffer().order(ByteOrder.LITTLE_ENDIAN).putInt(0x100, 40);
            c.writeRegister(BAR0, CounterDevice.COUNTER, 4, 2);
            c.writeRegister(BAR0, CounterDevice.DMA_ADDRESS, 4, GUEST + 0x100);
            c.writeRegister(BAR0, CounterDevice.GO, 4, 1);
            assertEquals(1, intx.await(DELIVERY), "INTx through the host's interrupt controller");
            assertEquals(42, ram.buffer().order(ByteOrder.LITTLE_ENDIAN).getInt(0x104), "DMA write into guest memory");
            assertEquals(0, c.readRegister(BAR0, CounterDevice.STATUS, 4));
        }
    }

    @Test
    void migratesItsOpaqueStateToASecondInstance() {
        byte[] page = new byte[64];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (i * 7 + 1);
        }
        try (SimulatedDevice src = counter(FaultPlan.EMPTY); SimulatedDevice dst = counter(FaultPlan.EMPTY)) {
            try (VfioUserClient c = src.attach()) {
                c.writeRegister(BAR0, CounterDevice.COUNTER, 4, 0x1234_5678);
                c.write(BAR2, 0x1800, page);
            }
            src.migrateTo(dst);
            try (VfioUserClient c = dst.attach()) {
                assertEquals(0x1234_5678L, c.readRegister(BAR0, CounterDevice.COUNTER, 4));
                assertArrayEquals(page, c.read(BAR2, 0x1800, page.length));
                assertEquals(VfioMigration.RUNNING, c.migrationState());
            }
            assertTrue(model(src).arcsHeard().containsAll(List.of("RUNNING->STOP", "STOP->STOP_COPY", "STOP_COPY->STOP")),
                    "one callback per arc of the kernel's path: " + model(src).arcsHeard());
            assertEquals(List.of("RUNNING->STOP", "STOP->RESUMING", "RESUMING->STOP", "STOP->RUNNING"), model(dst).arcsHeard());
        }
    }

    @Test
    void faultDecoratorsFireOnItsDmaAndItsMigrationWithoutItKnowing() throws Exception {
        FaultPlan plan = Faults.plan(7)
                .rule("dma-write-lost").onDma(DmaKind.WRITE).nth(1).dmaError()
                .rule("stop-refused").onArc("RUNNING", "STOP").nth(1).failArc(false, Errno.EBUSY)
                .rule("magic-flipped").onSaveStream().byteOffset(0).corrupt(0xff)
                .build();
        try (SimulatedDevice dev = counter(plan); SimulatedDevice dst = counter(FaultPlan.EMPTY)) {
            try (VfioUserClient c = dev.attach(); MemfdSharedMemory ram = MemfdSharedMemory.create("guest", GUEST_SIZE);
                    EventFd intx = EventFd.create()) {
                c.dmaMap(DmaMap.FLAG_READ | DmaMap.FLAG_WRITE, 0, GUEST, GUEST_SIZE, ram.fd());
                c.setIrqs(IrqSet.DATA_EVENTFD | IrqSet.ACTION_TRIGGER, IrqType.INTX.index(), 0, 1, null, intx.fd());
                c.writeRegister(BAR0, CounterDevice.DMA_ADDRESS, 4, GUEST);
                c.writeRegister(BAR0, CounterDevice.GO, 4, 1);
                assertEquals(1, intx.await(DELIVERY), "the work is done (its interrupt follows the DMA)");
                assertEquals(CounterDevice.STATUS_DMA_FAULT, c.readRegister(BAR0, CounterDevice.STATUS, 4),
                        "the faulting DMA port failed the device's write");
                assertEquals(Errno.EBUSY, assertThrows(ErrorReply.class,
                        () -> c.setMigrationState(VfioMigration.STOP)).errno());
                assertEquals(VfioMigration.RUNNING, c.migrationState());
                assertEquals(List.of(), model(dev).arcsHeard(), "a refused arc never reaches the device");
            }
            assertThrows(RuntimeException.class, () -> dev.migrateTo(dst), "the flipped magic is refused at RESUMING -> STOP");
            assertEquals(Map.of("dma-write-lost", 1L, "stop-refused", 1L, "magic-flipped", 1L),
                    Map.copyOf(dev.faults().firedCounts()));
            assertTrue(model(dst).arcsHeard().contains("STOP->RESUMING") && !model(dst).arcsHeard().contains("RESUMING->STOP"),
                    "the destination refused the stream: " + model(dst).arcsHeard());
        }
    }
}
