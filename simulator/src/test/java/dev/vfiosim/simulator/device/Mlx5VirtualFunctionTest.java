package dev.vfiosim.simulator.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.irq.InterruptSink;
import dev.vfiosim.simulator.irq.IrqInfo;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.irq.MsixTable;
import dev.vfiosim.simulator.pci.DeviceSerialNumberCapability;
import dev.vfiosim.simulator.pci.MsixCapability;
import dev.vfiosim.simulator.pci.PciExpressCapability;
import dev.vfiosim.simulator.pci.PciHeader;
import dev.vfiosim.simulator.pci.PowerManagementCapability;
import dev.vfiosim.simulator.pci.RegionInfo;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import dev.vfiosim.simulator.pci.SparseArea;
import dev.vfiosim.simulator.pci.VendorSpecificExtendedCapability;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Mlx5VirtualFunctionTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Mlx5VirtualFunction device = new Mlx5VirtualFunction(SharedMemoryAllocator.HEAP,
            VirtualFunctionConfig.defaults().withNanoTime(now::get));
    private final InterruptSink sink = mock(InterruptSink.class);

    @AfterEach
    void close() {
        device.close();
    }

    private long read(int region, long offset, int width) {
        ByteBuffer buffer = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        device.readRegion(region, offset, buffer);
        buffer.flip();
        return switch (width) {
            case 1 -> buffer.get() & 0xFF;
            case 2 -> buffer.getShort() & 0xFFFF;
            case 4 -> buffer.getInt() & 0xFFFF_FFFFL;
            default -> buffer.getLong();
        };
    }

    private void write(int region, long offset, int width, long value) {
        ByteBuffer buffer = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        switch (width) {
            case 1 -> buffer.put((byte) value);
            case 2 -> buffer.putShort((short) value);
            case 4 -> buffer.putInt((int) value);
            default -> buffer.putLong(value);
        }
        device.writeRegion(region, offset, buffer.flip());
    }

    private long config(int offset, int width) {
        return read(VfioRegion.CONFIG, offset, width);
    }

    private void writeConfig(int offset, int width, long value) {
        write(VfioRegion.CONFIG, offset, width, value);
    }

    @Test
    void identityReadsAsAConnectXVirtualFunction() {
        assertEquals(0x15b3, config(PciHeader.VENDOR_ID, 2));
        assertEquals(0x101e, config(PciHeader.DEVICE_ID, 2));
        assertEquals(0x101e15b3L, config(0, 4));
        assertEquals(0x02000000L, config(PciHeader.REVISION_ID, 4), "class 0x020000, revision 0");
        assertEquals(0x15b3, config(PciHeader.SUBSYSTEM_VENDOR_ID, 2));
        assertEquals(0, config(PciHeader.HEADER_TYPE, 1));
        assertEquals(1, config(PciHeader.INTERRUPT_PIN, 1));
        assertEquals(0x10, config(PciHeader.STATUS, 2), "capabilities list bit only");
    }

    @Test
    void bar0SizesTo256KiBWithTypeBits() {
        assertEquals(0xC, config(0x10, 4), "64-bit prefetchable memory BAR");
        writeConfig(0x10, 4, 0xFFFFFFFFL);
        writeConfig(0x14, 4, 0xFFFFFFFFL);
        long low = config(0x10, 4);
        long high = config(0x14, 4);
        assertEquals(0xFFFC000CL, low);
        assertEquals(0xFFFFFFFFL, high);
        long mask = high << 32 | (low & ~0xFL);
        assertEquals(256 * 1024, -mask);
        for (int bar = 0x18; bar < 0x28; bar += 4) {
            writeConfig(bar, 4, 0xFFFFFFFFL);
            assertEquals(0, config(bar, 4), "BAR at 0x" + Integer.toHexString(bar) + " is absent");
        }
    }

    @Test
    void romBarIsAbsent() {
        writeConfig(PciHeader.EXPANSION_ROM, 4, 0xFFFFF800L);
        assertEquals(0, config(PciHeader.EXPANSION_ROM, 4));
    }

    @Test
    void commandRegisterKeepsOnlyItsWritableBits() {
        writeConfig(PciHeader.COMMAND, 2, 0xFFFF);
        assertEquals(0x0546, config(PciHeader.COMMAND, 2));
    }

    @Test
    void statusErrorBitsAreWriteOneToClear() {
        device.vmmOwnedState().config().define(PciHeader.STATUS, 2,
                PciHeader.STATUS_CAPABILITIES_LIST | PciHeader.STATUS_ERRORS, 0, PciHeader.STATUS_ERRORS);
        writeConfig(PciHeader.STATUS, 2, 0x8100);
        assertEquals(0x7810, config(PciHeader.STATUS, 2));
        writeConfig(PciHeader.STATUS, 2, 0xFFFF);
        assertEquals(0x0010, config(PciHeader.STATUS, 2), "capabilities list bit is read-only");
    }

    @Test
    void readOnlyBytesIgnoreWrites() {
        writeConfig(0, 4, 0);
        writeConfig(PciHeader.CLASS_CODE, 1, 0xFF);
        writeConfig(PciHeader.CAPABILITIES_POINTER, 1, 0);
        assertEquals(0x101e15b3L, config(0, 4));
        assertEquals(0x02000000L, config(PciHeader.REVISION_ID, 4));
        assertEquals(0x40, config(PciHeader.CAPABILITIES_POINTER, 1));
        writeConfig(PciHeader.CACHE_LINE_SIZE, 1, 0x10);
        writeConfig(PciHeader.INTERRUPT_LINE, 1, 0x0B);
        assertEquals(0x10, config(PciHeader.CACHE_LINE_SIZE, 1));
        assertEquals(0x0B, config(PciHeader.INTERRUPT_LINE, 1));
    }

    @Test
    void capabilityListsCanBeWalked() {
        Map<Integer, Integer> standard = new LinkedHashMap<>();
        for (int at = (int) config(PciHeader.CAPABILITIES_POINTER, 1); at != 0; at = (int) config(at + 1, 1)) {
            assertTrue(at >= 0x40 && at % 4 == 0, "capability at 0x" + Integer.toHexString(at));
            standard.put((int) config(at, 1), at);
        }
        assertEquals(List.of(PowerManagementCapability.ID, MsixCapability.ID, PciExpressCapability.ID),
                List.copyOf(standard.keySet()));

        Map<Integer, Integer> extended = new LinkedHashMap<>();
        int at = 0x100;
        do {
            long header = config(at, 4);
            extended.put((int) (header & 0xFFFF), at);
            assertEquals(1, (header >>> 16) & 0xF, "version of extended capability at 0x" + Integer.toHexString(at));
            at = (int) (header >>> 20);
        } while (at != 0);
        assertEquals(List.of(DeviceSerialNumberCapability.ID, VendorSpecificExtendedCapability.ID),
                List.copyOf(extended.keySet()));
        assertEquals(List.of(0x40, 0x48, 0x54), List.copyOf(standard.values()), "offsets in docs/device.md");
        assertEquals(List.of(0x100, 0x10C), List.copyOf(extended.values()), "offsets in docs/device.md");
        int dsn = extended.get(DeviceSerialNumberCapability.ID);
        assertEquals(VirtualFunctionConfig.DEFAULT_SERIAL_NUMBER, read(VfioRegion.CONFIG, dsn + 4, 8));

        int msix = standard.get(MsixCapability.ID);
        assertEquals(15, config(msix + MsixCapability.MESSAGE_CONTROL, 2));
        assertEquals(0x2000, config(msix + MsixCapability.TABLE, 4));
        assertEquals(0x3000, config(msix + MsixCapability.PBA, 4));

        int pcie = standard.get(PciExpressCapability.ID);
        assertEquals(0x0002, config(pcie + PciExpressCapability.CAPABILITIES, 2));
        assertEquals(0x10008001L, config(pcie + PciExpressCapability.DEVICE_CAPABILITIES, 4));
        assertTrue((config(pcie + PciExpressCapability.DEVICE_CAPABILITIES, 4) & (1 << 28)) != 0, "FLR capable");
        assertEquals(0x2810, config(pcie + PciExpressCapability.DEVICE_CONTROL, 2));
    }

    @Test
    void capabilityRegistersHonourTheirMasks() {
        int pm = 0x40;
        writeConfig(pm + PowerManagementCapability.CONTROL_STATUS, 2, 0x0003);
        assertEquals(0x000B, config(pm + PowerManagementCapability.CONTROL_STATUS, 2));
        int msix = device.msixCapabilityOffset();
        writeConfig(msix + MsixCapability.MESSAGE_CONTROL, 2, 0xFFFF);
        assertEquals(0xC00F, config(msix + MsixCapability.MESSAGE_CONTROL, 2));
        int pcie = device.pciExpressCapabilityOffset();
        writeConfig(pcie + PciExpressCapability.DEVICE_STATUS, 2, 0xFFFF);
        assertEquals(0, config(pcie + PciExpressCapability.DEVICE_STATUS, 2));
    }

    /** A big-endian BAR0 register as mlx5 reads it (ioread32be). */
    private int readBe(long offset) {
        return Integer.reverseBytes((int) read(VfioRegion.BAR0, offset, 4));
    }

    private void writeBe(long offset, int value) {
        write(VfioRegion.BAR0, offset, 4, Integer.toUnsignedLong(Integer.reverseBytes(value)));
    }

    @Test
    void initialisingClearsByItselfAfterTheBootDelayAndRegistersAreBigEndian() {
        int initializing = Bar0.INIT_SEGMENT + InitializationSegment.INITIALIZING;
        assertEquals(0x80000000, readBe(initializing));
        assertEquals(0x00270016, readBe(InitializationSegment.FW_REV), "major 22 in 15:0, minor 39 in 31:16");
        assertEquals(5, readBe(InitializationSegment.CMDIF_REV_FW_SUB_MINOR) >>> 16, "cmdif_rev in 31:16");
        assertEquals(0x00, read(VfioRegion.BAR0, InitializationSegment.CMDIF_REV_FW_SUB_MINOR, 1), "MSB first");
        assertEquals(0x05, read(VfioRegion.BAR0, InitializationSegment.CMDIF_REV_FW_SUB_MINOR + 1, 1));
        now.addAndGet(VirtualFunctionConfig.DEFAULT_BOOT_DELAY.toNanos() - 1);
        assertEquals(0x80000000, readBe(initializing), "still booting");
        now.addAndGet(1);
        assertEquals(0, readBe(initializing), "booted: the device clears it itself");
        writeBe(InitializationSegment.CMDQ_ADDR_LOW, 0x12345000);
        writeBe(InitializationSegment.CMDQ_ADDR_HIGH, 0x1);
        assertEquals(0x1_12345000L, device.deviceOwnedState().initSegment().commandQueueAddress());
        assertEquals(0x12345056, readBe(InitializationSegment.CMDQ_ADDR_LOW), "size and stride stay read-only");
        writeBe(initializing, 0xFFFFFFFF);
        assertEquals(0x03000000, readBe(initializing), "only nic_interface is writable");
        assertEquals(0, readBe(InitializationSegment.HEALTH_BUFFER + 0x3c), "health syndrome 0: healthy");
    }

    @Test
    void aZeroCommandQueueAddressIsNotACommandQueue() {
        write(VfioRegion.BAR0, InitializationSegment.CMDQ_ADDR_HIGH, 8, 0L);
        assertFalse(device.deviceOwnedState().initSegment().commandQueueSet());
    }

    @Test
    void commandDoorbellIsLatchedAndReadsZero() {
        device.pause(); // a running engine would take the rung slots at once
        writeBe(InitializationSegment.CMD_DOORBELL, 0b101);
        write(VfioRegion.BAR0, InitializationSegment.CMD_DOORBELL + 2, 1, 0b1);
        assertEquals(0, read(VfioRegion.BAR0, InitializationSegment.CMD_DOORBELL, 4));
        assertEquals(0b1_0000_0101, device.deviceOwnedState().initSegment().takeRungCommands());
        assertEquals(0, device.deviceOwnedState().initSegment().rungCommands());
    }

    @Test
    void doorbellsForQueuesNoDeviceHasAreCountedNotErrors() {
        writeBe(Bar0.UAR_PAGES + 0x40, 200 << 24 | 5);
        writeBe(Bar0.UAR_PAGES + 0x800, 1);
        writeBe(Bar0.DOORBELLS, 1000);
        assertEquals(2, device.deviceOwnedState().doorbells().ignored(), "EQ 200 and SQ 1000");
        assertEquals(1, device.deviceOwnedState().uars().ignored(), "a blue-flame write");
    }

    @Test
    void healthCounterAdvancesWhileRunningAndFreezesWhilePaused() {
        long counter = Bar0.HEALTH + HealthArea.HEALTH_COUNTER;
        assertEquals(0, readBe(counter));
        now.addAndGet(5_000_000);
        assertEquals(5, readBe(counter));
        device.pause();
        now.addAndGet(100_000_000);
        assertEquals(5, readBe(counter));
        assertEquals(105_000_000, readBe(Bar0.HEALTH + HealthArea.INTERNAL_TIMER_LOW), "the internal timer runs free");
        device.resume();
        now.addAndGet(2_000_000);
        assertEquals(7, readBe(counter));
        assertEquals(0, readBe(Bar0.HEALTH + HealthArea.HEALTH_SYNDROME));
    }

    @Test
    void functionLevelResetThroughDeviceControlResetsTheInitSegment() {
        writeBe(InitializationSegment.CMDQ_ADDR_HIGH, 2);
        writeBe(InitializationSegment.CMDQ_ADDR_LOW, 0xABCD_E000);
        now.addAndGet(50_000_000);
        assertFalse(device.deviceOwnedState().initSegment().initializing());
        writeConfig(PciHeader.COMMAND, 2, PciHeader.COMMAND_MEMORY_SPACE | PciHeader.COMMAND_BUS_MASTER);
        int deviceControl = device.pciExpressCapabilityOffset() + PciExpressCapability.DEVICE_CONTROL;
        long before = config(deviceControl, 2);

        writeConfig(deviceControl, 2, before | PciExpressCapability.INITIATE_FLR);

        assertEquals(1, device.resetCount());
        assertEquals(before, config(deviceControl, 2), "Initiate FLR reads back 0");
        assertTrue(device.deviceOwnedState().initSegment().initializing());
        assertEquals(0, read(VfioRegion.BAR0, InitializationSegment.CMDQ_ADDR_HIGH, 4));
        assertEquals(0, read(VfioRegion.BAR0, Bar0.HEALTH + HealthArea.HEALTH_COUNTER, 4));
        assertEquals(0x6, config(PciHeader.COMMAND, 2), "config space is VMM-owned and kept");
    }

    @Test
    void resetForgetsPendingInterruptsButKeepsTheTable() {
        device.interrupts().raise(IrqType.MSIX, 4);
        write(VfioRegion.BAR0, Bar0.MSIX_TABLE + 4 * MsixTable.ENTRY_SIZE + MsixTable.DATA, 4, 0x55);
        device.reset();
        assertFalse(device.interrupts().msixPending(4));
        assertEquals(0x55, read(VfioRegion.BAR0, Bar0.MSIX_TABLE + 4 * MsixTable.ENTRY_SIZE + MsixTable.DATA, 4));
    }

    @Test
    void outOfRangeAccessesAreInvalid() {
        assertInvalid(() -> read(VfioRegion.CONFIG, 4094, 4));
        assertInvalid(() -> read(VfioRegion.BAR0, Bar0.SIZE - 4, 8));
        assertInvalid(() -> write(VfioRegion.BAR0, Bar0.SIZE, 1, 0));
        assertInvalid(() -> read(VfioRegion.BAR0, -4, 4));
        assertInvalid(() -> read(VfioRegion.ROM, 0, 4));
        assertInvalid(() -> read(9, 0, 4));
        assertInvalid(() -> device.regionInfo(9));
        assertInvalid(() -> device.irqInfo(5));
        assertInvalid(() -> read(VfioRegion.BAR0, 2, 4));
        assertInvalid(() -> device.readRegion(VfioRegion.BAR0, 0, ByteBuffer.allocate(16)));
        assertInvalid(() -> device.readRegion(VfioRegion.BAR0, Bar0.DEVICE_MEMORY - 8, ByteBuffer.allocate(16)));
    }

    private static void assertInvalid(Runnable access) {
        DeviceException e = assertThrows(DeviceException.class, access::run);
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void deviceMemoryWindowIsCoherentWithTheSharedMemory() {
        ByteBuffer shared = device.deviceMemory().buffer();
        shared.putLong(Bar0.DEVICE_MEMORY + 0x100, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, read(VfioRegion.BAR0, Bar0.DEVICE_MEMORY + 0x100, 8));
        assertEquals(0x66, read(VfioRegion.BAR0, Bar0.DEVICE_MEMORY + 0x102, 1));

        int end = Bar0.DEVICE_MEMORY + Bar0.DEVICE_MEMORY_SIZE;
        device.writeRegion(VfioRegion.BAR0, end - 3, ByteBuffer.wrap(new byte[] {7, 8, 9}));
        ByteBuffer view = device.deviceMemory().buffer();
        assertEquals(7, view.get(end - 3));
        assertEquals(9, view.get(end - 1));
        ByteBuffer big = ByteBuffer.allocate(Bar0.DEVICE_MEMORY_SIZE);
        device.readRegion(VfioRegion.BAR0, Bar0.DEVICE_MEMORY, big);
        assertEquals(0x88, big.get(0x100) & 0xFF);
    }

    @Test
    void regionInfoDescribesTheMappableWindow() {
        RegionInfo bar0 = device.regionInfo(VfioRegion.BAR0);
        assertEquals(0x40000, bar0.size());
        assertTrue(bar0.readable() && bar0.writable() && bar0.mappable());
        assertEquals(List.of(new SparseArea(0x10000, 0x10000)), bar0.sparseAreas());
        assertSame(device.deviceMemory(), bar0.backing().orElseThrow());
        assertEquals(0x40000, bar0.backing().orElseThrow().size());
        assertEquals(0, bar0.mmapOffset());

        RegionInfo config = device.regionInfo(VfioRegion.CONFIG);
        assertEquals(4096, config.size());
        assertFalse(config.mappable());
        for (int index : new int[] {1, 2, 3, 4, 5, VfioRegion.ROM, VfioRegion.VGA}) {
            assertEquals(0, device.regionInfo(index).size(), "region " + index);
        }
        assertEquals(9, device.regionCount());
        assertEquals(5, device.irqCount());
    }

    @Test
    void irqInfoMatchesTheDevice() {
        assertEquals(new IrqInfo(IrqType.MSIX, 16, true, false, true), device.irqInfo(IrqType.MSIX.index()));
        assertEquals(1, device.irqInfo(IrqType.INTX.index()).count());
        assertEquals(0, device.irqInfo(IrqType.MSI.index()).count());
        assertEquals(1, device.irqInfo(IrqType.ERR.index()).count());
        assertEquals(1, device.irqInfo(IrqType.REQ.index()).count());
    }

    @Test
    void maskedMsixPendsInPbaAndUnmaskByTableWriteDeliversOnce() {
        when(sink.signal(any(), anyInt())).thenReturn(true);
        device.connectInterrupts(sink);
        device.interrupts().raise(IrqType.MSIX, 9);
        verify(sink, never()).signal(any(), anyInt());
        assertEquals(1 << 9, read(VfioRegion.BAR0, Bar0.MSIX_PBA, 4));
        write(VfioRegion.BAR0, Bar0.MSIX_PBA, 4, 0);
        assertEquals(1 << 9, read(VfioRegion.BAR0, Bar0.MSIX_PBA, 8), "PBA writes are ignored");

        write(VfioRegion.BAR0, Bar0.MSIX_TABLE + 9 * MsixTable.ENTRY_SIZE + MsixTable.VECTOR_CONTROL, 1, 0);

        verify(sink, times(1)).signal(IrqType.MSIX, 9);
        assertEquals(0, read(VfioRegion.BAR0, Bar0.MSIX_PBA, 4));
    }

    @Test
    void unmaskPathsThroughTheDeviceApiDeliverPending() {
        when(sink.signal(any(), anyInt())).thenReturn(true);
        device.connectInterrupts(sink);
        device.triggerIrqs(IrqType.MSIX, 0, new boolean[] {true, true, true});
        verify(sink, never()).signal(any(), anyInt());

        device.maskIrqs(IrqType.MSIX, 0, new boolean[] {true}, false);
        verify(sink, times(1)).signal(IrqType.MSIX, 0);

        device.irqTriggersAssigned(IrqType.MSIX, 1, new boolean[] {true}, true);
        verify(sink, times(1)).signal(IrqType.MSIX, 1);

        int control = device.msixCapabilityOffset() + MsixCapability.MESSAGE_CONTROL;
        writeConfig(control, 2, MsixCapability.ENABLE | MsixCapability.FUNCTION_MASK);
        write(VfioRegion.BAR0, Bar0.MSIX_TABLE + 2 * MsixTable.ENTRY_SIZE + MsixTable.VECTOR_CONTROL, 4, 0);
        verify(sink, never()).signal(IrqType.MSIX, 2);
        writeConfig(control, 2, MsixCapability.ENABLE);
        verify(sink, times(1)).signal(IrqType.MSIX, 2);
        assertEquals(0, read(VfioRegion.BAR0, Bar0.MSIX_PBA, 4));
        assertEquals(3, device.interrupts().counts(IrqType.MSIX).delivered());
    }

    @Test
    void intxDisableInCommandHoldsIntxAndStatusShowsIt() {
        when(sink.signal(any(), anyInt())).thenReturn(true);
        device.connectInterrupts(sink);
        writeConfig(PciHeader.COMMAND, 2, PciHeader.COMMAND_INTX_DISABLE);
        device.interrupts().fire(0);
        verify(sink, never()).signal(any(), anyInt());
        assertEquals(PciHeader.STATUS_INTERRUPT, config(PciHeader.STATUS, 2) & PciHeader.STATUS_INTERRUPT);
        writeConfig(PciHeader.COMMAND, 2, 0);
        verify(sink, times(1)).signal(IrqType.INTX, 0);
    }
}
