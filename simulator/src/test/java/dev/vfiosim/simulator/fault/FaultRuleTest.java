package dev.vfiosim.simulator.fault;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.fault.FaultAction.BreakP2pQuiesce;
import dev.vfiosim.simulator.fault.FaultAction.CorruptStream;
import dev.vfiosim.simulator.fault.FaultAction.DmaError;
import dev.vfiosim.simulator.fault.FaultAction.LieSize;
import dev.vfiosim.simulator.fault.FaultAction.OmitDirtyPages;
import dev.vfiosim.simulator.fault.FaultAction.ReplyErrno;
import dev.vfiosim.simulator.fault.FaultAction.ShortRead;
import dev.vfiosim.simulator.fault.FaultSite.ArcSite;
import dev.vfiosim.simulator.fault.FaultSite.CommandSite;
import dev.vfiosim.simulator.fault.FaultSite.DmaKind;
import dev.vfiosim.simulator.fault.FaultSite.DmaSite;
import dev.vfiosim.simulator.fault.FaultSite.StreamSide;
import dev.vfiosim.simulator.fault.FaultSite.StreamSite;
import dev.vfiosim.simulator.fault.FaultTrigger.Always;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FaultRuleTest {
    private static FaultPlanException refused(FaultSite where, FaultAction what) {
        return assertThrows(FaultPlanException.class, () -> new FaultRule("r", where, new Always(), what));
    }

    @Test
    void anActionOnTheWrongKindOfSiteIsRefusedOnWhat() {
        FaultPlanException e = refused(new ArcSite("RUNNING", "STOP"), new CorruptStream(1));
        assertEquals("what", e.field());
        assertEquals("corrupt applies to a stream site, not to this arc site", e.reason());
    }

    @Test
    void refinementsOfFit() {
        assertEquals("what", refused(DmaSite.of(DmaKind.READ), new ReplyErrno(Errno.EIO)).field());
        assertEquals("what", refused(DmaSite.of(DmaKind.MAP), new DmaError()).field());
        assertEquals("what", refused(StreamSite.of(StreamSide.RESUME), new ShortRead(1)).field());
        assertEquals("where.byteOffset", refused(StreamSite.of(StreamSide.SAVE), new CorruptStream(1)).field());
        assertEquals("where.arc.to", refused(new ArcSite("RUNNING", "STOP"), new BreakP2pQuiesce(Duration.ofMillis(5))).field());
        assertDoesNotThrow(() -> new FaultRule("ok", DmaSite.of(DmaKind.UNMAP), new Always(), new ReplyErrno(Errno.EBUSY)));
        assertDoesNotThrow(() -> new FaultRule("ok", new ArcSite("*", "RUNNING_P2P"), new Always(), new BreakP2pQuiesce(Duration.ofMillis(5))));
    }

    @Test
    void ruleFieldsAreChecked() {
        CommandSite site = CommandSite.of("REGION_READ");
        FaultAction what = new ReplyErrno(Errno.EIO);
        assertEquals("id", assertThrows(FaultPlanException.class, () -> new FaultRule("has space", site, new Always(), what)).field());
        assertEquals("atMost", assertThrows(FaultPlanException.class,
                () -> new FaultRule("r", site, new Always(), what, OptionalLong.of(0), true)).field());
        assertEquals("rules[1].id", assertThrows(FaultPlanException.class,
                () -> new FaultPlan(1, List.of(new FaultRule("r", site, new Always(), what), new FaultRule("r", site, new Always(), what)))).field());
    }

    @Test
    void actionParametersAreChecked() {
        assertEquals("xorMask", assertThrows(FaultPlanException.class, () -> new CorruptStream(0x100)).field());
        assertEquals("maxBytes", assertThrows(FaultPlanException.class, () -> new ShortRead(0)).field());
        assertEquals("fraction", assertThrows(FaultPlanException.class, () -> LieSize.fractionOf(1.5)).field());
        assertEquals("", assertThrows(FaultPlanException.class, () -> new OmitDirtyPages(1, 0.5)).field());
        assertEquals("probability", assertThrows(FaultPlanException.class, () -> new FaultTrigger.Probability(1.5)).field());
        assertEquals("nth", assertThrows(FaultPlanException.class, () -> new FaultTrigger.Nth(0)).field());
    }

    @Test
    void sizeLiesAndOmittedPages() {
        assertEquals(0, LieSize.of(LieSize.Mode.ZERO).reported(1000, 0));
        assertEquals(LieSize.HUGE, LieSize.of(LieSize.Mode.HUGE).reported(1000, 0));
        assertEquals(10, LieSize.fractionOf(0.01).reported(1000, 0));
        assertEquals(1234, LieSize.valueOf(1234).reported(1000, 0));
        assertEquals(5000, LieSize.of(LieSize.Mode.FREEZE).reported(1000, 5000), "never below what was reported");
        assertEquals(7000, LieSize.of(LieSize.Mode.FREEZE).reported(7000, 5000), "but may grow");

        BitSet dirty = new BitSet();
        dirty.set(3);
        dirty.set(9);
        dirty.set(20);
        OmitDirtyPages.count(2).applyTo(dirty);
        assertEquals(BitSet.valueOf(new long[] {1L << 20}), dirty);
        assertEquals(2, OmitDirtyPages.fraction(0.5).pagesToOmit(3), "a fraction rounds up");
    }

    @Test
    void corruptionFlipsOnlyTheTargetByte() {
        byte[] chunk = new byte[8];
        new CorruptStream(0x81).applyTo(chunk, 0, 8, 100, 103);
        assertEquals((byte) 0x81, chunk[3]);
        new CorruptStream(0x81).applyTo(chunk, 0, 8, 100, 108);
        assertEquals(1, java.util.stream.IntStream.range(0, 8).filter(i -> chunk[i] != 0).count(), "108 is outside the chunk");
    }
}
