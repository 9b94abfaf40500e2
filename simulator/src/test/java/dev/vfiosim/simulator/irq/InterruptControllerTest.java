package dev.vfiosim.simulator.irq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.vfiosim.simulator.pci.CapabilityListBuilder;
import dev.vfiosim.simulator.pci.ConfigSpace;
import dev.vfiosim.simulator.pci.DwordRegisterBlock;
import dev.vfiosim.simulator.pci.MsixCapability;
import dev.vfiosim.simulator.pci.PciHeader;
import dev.vfiosim.simulator.pci.PciIdentity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InterruptControllerTest {
    private static final int VECTORS = 16;
    private final ConfigSpace config = new ConfigSpace();
    private final InterruptSink sink = mock(InterruptSink.class);
    private InterruptController controller;
    private int messageControl;

    @BeforeEach
    void setUp() {
        PciHeader.define(config, new PciIdentity(1, 2, 0, 0, 1, 2));
        int cap = new CapabilityListBuilder(config).add(new MsixCapability(VECTORS, 0, 0x2000, 0x3000));
        messageControl = cap + MsixCapability.MESSAGE_CONTROL;
        controller = new InterruptController(config, cap, new MsixTable(VECTORS));
        when(sink.signal(any(), anyInt())).thenReturn(true);
        controller.connect(sink);
    }

    private static boolean[] one() {
        return new boolean[] {true};
    }

    @Test
    void vectorsResetMaskedSoAnInterruptPends() {
        controller.raise(IrqType.MSIX, 3);
        verify(sink, never()).signal(any(), anyInt());
        assertTrue(controller.msixPending(3));
        assertEquals(1 << 3, controller.pbaRegisters().read(0));
        assertEquals(new IrqCounts(0, 1, 0), controller.counts(IrqType.MSIX));
    }

    @Test
    void tableWriteUnmaskDeliversOnceAndClearsPendingBit() {
        controller.raise(IrqType.MSIX, 3);
        controller.raise(IrqType.MSIX, 3);
        DwordRegisterBlock table = controller.msixTableRegisters();
        table.write(3 * MsixTable.ENTRY_SIZE + MsixTable.VECTOR_CONTROL, 0);
        verify(sink, times(1)).signal(IrqType.MSIX, 3);
        assertFalse(controller.msixPending(3));
        table.write(3 * MsixTable.ENTRY_SIZE + MsixTable.VECTOR_CONTROL, 0);
        verify(sink, times(1)).signal(IrqType.MSIX, 3);
    }

    @Test
    void setIrqsUnmaskDeliversPending() {
        controller.raise(IrqType.MSIX, 5);
        controller.mask(IrqType.MSIX, 4, new boolean[] {false, true}, false);
        verify(sink, times(1)).signal(IrqType.MSIX, 5);
        assertFalse(controller.msixPending(5));
        assertFalse(controller.msixEntry(5).masked());
        assertTrue(controller.msixEntry(4).masked(), "unselected vector keeps its mask");
    }

    @Test
    void assigningATriggerUnmasksAndDeliversPending() {
        controller.raise(IrqType.MSIX, 0);
        controller.assignTriggers(IrqType.MSIX, 0, one(), true);
        verify(sink, times(1)).signal(IrqType.MSIX, 0);
        assertFalse(controller.msixPending(0));
        controller.assignTriggers(IrqType.MSIX, 0, one(), false);
        controller.raise(IrqType.MSIX, 0);
        verify(sink, times(1)).signal(IrqType.MSIX, 0);
        assertTrue(controller.msixPending(0), "unassigning masks the vector again");
    }

    @Test
    void clearingFunctionMaskReleasesPendingVectors() {
        controller.mask(IrqType.MSIX, 0, new boolean[] {true, true}, false);
        config.write(messageControl, 2, MsixCapability.ENABLE | MsixCapability.FUNCTION_MASK);
        controller.raise(IrqType.MSIX, 1);
        verify(sink, never()).signal(any(), anyInt());
        assertTrue(controller.msixPending(1));
        config.write(messageControl, 2, MsixCapability.ENABLE);
        controller.msixControlWritten();
        verify(sink, times(1)).signal(IrqType.MSIX, 1);
        assertFalse(controller.msixPending(1));
    }

    @Test
    void unmaskedVectorIsDeliveredImmediatelyAndLossIsCounted() {
        controller.assignTriggers(IrqType.MSIX, 2, one(), true);
        when(sink.signal(IrqType.MSIX, 2)).thenReturn(false);
        controller.raise(IrqType.MSIX, 2);
        assertEquals(new IrqCounts(0, 0, 1), controller.counts(IrqType.MSIX));
    }

    @Test
    void fireRoutesToIntxUntilMsixIsInUse() {
        controller.fire(0);
        verify(sink).signal(IrqType.INTX, 0);
        assertTrue(controller.intxAsserted());
        assertEquals(PciHeader.STATUS_INTERRUPT, config.read(PciHeader.STATUS, 2) & PciHeader.STATUS_INTERRUPT);
        controller.assignTriggers(IrqType.MSIX, 0, one(), true);
        controller.fire(0);
        verify(sink).signal(IrqType.MSIX, 0);
    }

    @Test
    void fireUsesMsixWhenEnableBitIsSet() {
        config.write(messageControl, 2, MsixCapability.ENABLE);
        assertTrue(controller.msixActive());
        controller.fire(7);
        verify(sink, never()).signal(any(), anyInt());
        assertTrue(controller.msixPending(7));
    }

    @Test
    void intxDisableHoldsIntxPendingUntilCleared() {
        config.write(PciHeader.COMMAND, 2, PciHeader.COMMAND_INTX_DISABLE);
        controller.raise(IrqType.INTX, 0);
        verify(sink, never()).signal(any(), anyInt());
        assertTrue(controller.intxPending());
        config.write(PciHeader.COMMAND, 2, 0);
        controller.commandWritten();
        verify(sink, times(1)).signal(IrqType.INTX, 0);
        controller.lowerIntx();
        assertEquals(0, config.read(PciHeader.STATUS, 2) & PciHeader.STATUS_INTERRUPT);
    }

    @Test
    void intxMaskedBySetIrqsPendsAndUnmaskDelivers() {
        controller.mask(IrqType.INTX, 0, one(), true);
        controller.raise(IrqType.INTX, 0);
        verify(sink, never()).signal(any(), anyInt());
        controller.mask(IrqType.INTX, 0, one(), false);
        verify(sink, times(1)).signal(IrqType.INTX, 0);
    }

    @Test
    void errAndReqAreTriggerOnly() {
        controller.trigger(IrqType.ERR, 0, one());
        controller.trigger(IrqType.REQ, 0, one());
        verify(sink).signal(IrqType.ERR, 0);
        verify(sink).signal(IrqType.REQ, 0);
        DeviceException e = assertThrows(DeviceException.class, () -> controller.mask(IrqType.ERR, 0, one(), true));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void triggerGoesThroughMasking() {
        controller.trigger(IrqType.MSIX, 0, new boolean[] {true, false, true});
        verify(sink, never()).signal(any(), anyInt());
        assertEquals(0b101, controller.pbaRegisters().read(0));
    }

    @Test
    void validationNamesTheBounds() {
        DeviceException msi = assertThrows(DeviceException.class, () -> controller.trigger(IrqType.MSI, 0, one()));
        assertEquals(Errno.EINVAL, msi.errno());
        assertTrue(msi.getMessage().contains("no MSI vectors"), msi.getMessage());
        DeviceException range = assertThrows(DeviceException.class,
                () -> controller.mask(IrqType.MSIX, 15, new boolean[] {true, true}, true));
        assertEquals(Errno.EINVAL, range.errno());
        assertTrue(range.getMessage().contains("[15, 17)") && range.getMessage().contains("[0, 16)"), range.getMessage());
        assertThrows(DeviceException.class, () -> controller.raise(IrqType.ERR, 1));
        controller.assignTriggers(IrqType.MSIX, 0, new boolean[0], false);
    }

    @Test
    void pbaIgnoresClientWritesAndClearPendingForgetsEverything() {
        controller.raise(IrqType.MSIX, 1);
        controller.pbaRegisters().write(0, 0);
        assertEquals(0b10, controller.pbaRegisters().read(0));
        controller.raise(IrqType.INTX, 0);
        controller.clearPending();
        assertEquals(0, controller.pbaRegisters().read(0));
        assertFalse(controller.intxAsserted());
    }

    @Test
    void tableEntriesStoreWhatTheClientWrites() {
        DwordRegisterBlock table = controller.msixTableRegisters();
        table.write(MsixTable.ENTRY_SIZE + MsixTable.ADDRESS_LOW, 0xFEE00000);
        table.write(MsixTable.ENTRY_SIZE + MsixTable.ADDRESS_HIGH, 1);
        table.write(MsixTable.ENTRY_SIZE + MsixTable.DATA, 0x4041);
        table.write(MsixTable.ENTRY_SIZE + MsixTable.VECTOR_CONTROL, 0xFFFFFFFE);
        assertEquals(new MsixEntry(0x1FEE00000L, 0x4041, false), controller.msixEntry(1));
        assertEquals(0, table.read(MsixTable.ENTRY_SIZE + MsixTable.VECTOR_CONTROL));
        assertEquals(MsixTable.MASK, table.read(MsixTable.VECTOR_CONTROL), "reset value of Mask is 1");
        assertEquals(0, table.read(VECTORS * MsixTable.ENTRY_SIZE), "past the table reads 0");
    }

    @Test
    void concurrentRaisesWhileMaskedCollapseIntoOneDelivery() throws Exception {
        Thread[] devices = new Thread[4];
        for (int i = 0; i < devices.length; i++) {
            devices[i] = new Thread(() -> {
                for (int n = 0; n < 1000; n++) {
                    controller.raise(IrqType.MSIX, 6);
                }
            });
            devices[i].start();
        }
        for (Thread device : devices) {
            device.join();
        }
        assertEquals(4000, controller.counts(IrqType.MSIX).pended());
        controller.mask(IrqType.MSIX, 6, one(), false);
        verify(sink, times(1)).signal(IrqType.MSIX, 6);
    }
}
