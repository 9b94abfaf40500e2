package dev.vfiosim.simulator.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.fault.FaultEvent.ArcEvent;
import dev.vfiosim.simulator.fault.FaultEvent.CommandEvent;
import dev.vfiosim.simulator.fault.FaultEvent.ConnectionEvent;
import dev.vfiosim.simulator.fault.FaultEvent.DirtyReportEvent;
import dev.vfiosim.simulator.fault.FaultEvent.DmaEvent;
import dev.vfiosim.simulator.fault.FaultEvent.InterruptEvent;
import dev.vfiosim.simulator.fault.FaultEvent.SizeReportEvent;
import dev.vfiosim.simulator.fault.FaultEvent.StreamEvent;
import dev.vfiosim.simulator.fault.FaultSite.ArcSite;
import dev.vfiosim.simulator.fault.FaultSite.CommandSite;
import dev.vfiosim.simulator.fault.FaultSite.ConnectionSite;
import dev.vfiosim.simulator.fault.FaultSite.DirtyReportSite;
import dev.vfiosim.simulator.fault.FaultSite.DmaKind;
import dev.vfiosim.simulator.fault.FaultSite.DmaSite;
import dev.vfiosim.simulator.fault.FaultSite.InterruptSite;
import dev.vfiosim.simulator.fault.FaultSite.SizeKind;
import dev.vfiosim.simulator.fault.FaultSite.SizeReportSite;
import dev.vfiosim.simulator.fault.FaultSite.StreamSide;
import dev.vfiosim.simulator.fault.FaultSite.StreamSite;
import dev.vfiosim.simulator.irq.IrqType;
import org.junit.jupiter.api.Test;

class FaultSiteTest {
    @Test
    void commandSiteMatchesByNameAndOnlyTheQualifiersItHas() {
        CommandSite any = CommandSite.of("REGION_READ");
        assertTrue(any.matches(CommandEvent.regionAccess("REGION_READ", 0, 0x100, 4)));
        assertFalse(any.matches(CommandEvent.regionAccess("REGION_WRITE", 0, 0x100, 4)));
        assertFalse(any.matches(new ArcEvent("RUNNING", "STOP")), "a command site ignores other kinds of event");

        CommandSite register = any.withRegion(7).withOffset(0x10);
        assertTrue(register.matches(CommandEvent.regionAccess("REGION_READ", 7, 0x10, 4)));
        assertTrue(register.matches(CommandEvent.regionAccess("REGION_READ", 7, 0x0c, 8)), "an 8-byte read covering 0x10");
        assertFalse(register.matches(CommandEvent.regionAccess("REGION_READ", 7, 0x14, 4)));
        assertFalse(register.matches(CommandEvent.regionAccess("REGION_READ", 0, 0x10, 4)), "other region");
        assertFalse(register.matches(CommandEvent.of("REGION_READ")), "an offset site needs an access with a range");
    }

    @Test
    void commandSiteWildcardFeatureAndIrqIndex() {
        assertTrue(CommandSite.of("*").matches(CommandEvent.of("VERSION")));
        CommandSite migDataSize = CommandSite.of("DEVICE_FEATURE").withFeatureId(9);
        assertTrue(migDataSize.matches(CommandEvent.feature(9)));
        assertFalse(migDataSize.matches(CommandEvent.feature(2)));
        CommandSite msix = CommandSite.of("DEVICE_SET_IRQS").withIrqIndex(IrqType.MSIX.index());
        assertTrue(msix.matches(CommandEvent.irqs("DEVICE_SET_IRQS", 2)));
        assertFalse(msix.matches(CommandEvent.irqs("DEVICE_SET_IRQS", 0)));
    }

    @Test
    void commandSiteOffsetNearTheTopOfTheAddressSpaceDoesNotOverflow() {
        CommandSite top = CommandSite.of("REGION_READ").withOffset(-1L);
        assertTrue(top.matches(CommandEvent.regionAccess("REGION_READ", 0, -4L, 4)));
        assertFalse(top.matches(CommandEvent.regionAccess("REGION_READ", 0, 0, 4)));
    }

    @Test
    void arcSiteWithWildcards() {
        assertTrue(new ArcSite("RUNNING_P2P", "STOP").matches(new ArcEvent("RUNNING_P2P", "STOP")));
        assertFalse(new ArcSite("RUNNING_P2P", "STOP").matches(new ArcEvent("RUNNING", "STOP")));
        assertTrue(new ArcSite("*", "STOP").matches(ArcEvent.of(5, 1)));
        assertTrue(new ArcSite("STOP_COPY", "*").matches(ArcEvent.of(3, 1)));
        assertFalse(new ArcSite("STOP_COPY", "*").matches(ArcEvent.of(1, 3)));
    }

    @Test
    void arcSiteRefusesUnknownStates() {
        FaultPlanException e = assertThrows(FaultPlanException.class, () -> new ArcSite("RUNING", "STOP"));
        assertEquals("from", e.field());
        assertTrue(e.reason().contains("RUNING"), e.reason());
    }

    @Test
    void streamSiteByOffsetTagAndState() {
        StreamSite at = StreamSite.of(StreamSide.SAVE).withByteOffset(4096);
        assertTrue(at.matches(new StreamEvent(StreamSide.SAVE, 4000, 200, -1, null)));
        assertFalse(at.matches(new StreamEvent(StreamSide.SAVE, 4097, 200, -1, null)));
        assertFalse(at.matches(new StreamEvent(StreamSide.RESUME, 4000, 200, -1, null)), "other side");
        assertTrue(at.matches(new StreamEvent(StreamSide.SAVE, 4096, 0, -1, null)), "an empty read at the offset");

        StreamSite tagged = StreamSite.of(StreamSide.RESUME).withRecordTag(0x2).withState("RESUMING");
        assertTrue(tagged.matches(new StreamEvent(StreamSide.RESUME, 0, 10, 2, "RESUMING")));
        assertFalse(tagged.matches(new StreamEvent(StreamSide.RESUME, 0, 10, 1, "RESUMING")));
        assertFalse(tagged.matches(new StreamEvent(StreamSide.RESUME, 0, 10, 2, null)));
    }

    @Test
    void dmaSiteRangeIsHalfOpenAndUnsigned() {
        DmaSite window = DmaSite.of(DmaKind.WRITE).withRange(0x1000, 0x2000);
        assertTrue(window.matches(new DmaEvent(DmaKind.WRITE, 0x1ff0, 0x100)), "overlaps the end");
        assertTrue(window.matches(new DmaEvent(DmaKind.WRITE, 0x0f00, 0x101)), "overlaps the start by one byte");
        assertFalse(window.matches(new DmaEvent(DmaKind.WRITE, 0x0f00, 0x100)), "ends just before");
        assertFalse(window.matches(new DmaEvent(DmaKind.WRITE, 0x2000, 0x10)), "end is exclusive");
        assertFalse(window.matches(new DmaEvent(DmaKind.READ, 0x1000, 0x10)), "other kind");
        assertTrue(DmaSite.of(DmaKind.MAP).matches(new DmaEvent(DmaKind.MAP, 0x8000_0000_0000_0000L, 0x1000)));
        assertThrows(FaultPlanException.class, () -> DmaSite.of(DmaKind.READ).withRange(0x2000, 0x1000));
    }

    @Test
    void interruptConnectionSizeAndDirtySites() {
        InterruptSite vector3 = InterruptSite.of(IrqType.MSIX).withVector(3);
        assertTrue(vector3.matches(new InterruptEvent(IrqType.MSIX, 3)));
        assertFalse(vector3.matches(new InterruptEvent(IrqType.MSIX, 4)));
        assertFalse(vector3.matches(new InterruptEvent(IrqType.INTX, 3)));
        assertTrue(InterruptSite.of(IrqType.MSIX).matches(new InterruptEvent(IrqType.MSIX, 15)));

        assertTrue(new ConnectionSite().matches(new ConnectionEvent(1)));
        assertFalse(new ConnectionSite().matches(CommandEvent.of("VERSION")));
        assertTrue(new SizeReportSite(SizeKind.INITIAL_BYTES).matches(new SizeReportEvent(SizeKind.INITIAL_BYTES, 5)));
        assertFalse(new SizeReportSite(SizeKind.INITIAL_BYTES).matches(new SizeReportEvent(SizeKind.DIRTY_BYTES, 5)));
        assertTrue(new DirtyReportSite().matches(new DirtyReportEvent(0, 4096, 1)));
    }
}
