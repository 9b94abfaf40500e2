package dev.vfiosim.server.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class IrqSetTest {
    private static ByteBuffer payload(int flags, int index, int start, int count, byte[] bools) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        IrqSet.encode(b, flags, index, start, count, bools);
        return b.flip();
    }

    @Test
    void eventfdTriggerWithExactlyCountFds() {
        IrqSet s = IrqSet.decode(payload(IrqSet.DATA_EVENTFD | IrqSet.ACTION_TRIGGER, 2, 3, 2, null), 2);
        assertEquals(IrqSet.DATA_EVENTFD, s.dataType());
        assertEquals(IrqSet.ACTION_TRIGGER, s.action());
        assertEquals(3, s.start());
        assertArrayEquals(new boolean[] {true, true}, s.selected());
    }

    @Test
    void boolDataSelectsVectors() {
        IrqSet s = IrqSet.decode(payload(IrqSet.DATA_BOOL | IrqSet.ACTION_MASK, 2, 0, 3, new byte[] {1, 0, 1}), 0);
        assertArrayEquals(new boolean[] {true, false, true}, s.selected());
    }

    @Test
    void refusesBadCombinations() {
        int trig = IrqSet.DATA_EVENTFD | IrqSet.ACTION_TRIGGER;
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(trig, 2, 0, 2, null), 1), "fds != count");
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(IrqSet.DATA_NONE | IrqSet.ACTION_MASK, 2, 0, 1, null), 1),
                "fds with NONE");
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(IrqSet.DATA_NONE | IrqSet.DATA_BOOL | IrqSet.ACTION_MASK, 2, 0, 1, null), 0),
                "two data bits");
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(IrqSet.DATA_NONE, 2, 0, 1, null), 0), "no action");
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(IrqSet.DATA_NONE | IrqSet.ACTION_MASK, 2, 0, 0, null), 0),
                "count 0 with MASK");
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(IrqSet.DATA_BOOL | IrqSet.ACTION_MASK, 2, 0, 3, new byte[] {1, 2, 0}), 0),
                "bool byte 2");
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(IrqSet.DATA_BOOL | IrqSet.ACTION_MASK, 2, 0, 3, new byte[] {1}), 0),
                "short bool array");
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(IrqSet.DATA_NONE | IrqSet.ACTION_TRIGGER | 0x100, 2, 0, 1, null), 0),
                "unknown flag");
    }

    /** A count no device has is refused before anything per vector is built (it once allocated 440 MB). */
    @Test
    void countsBeyondAnyPciInterruptTypeAreRefusedAtOnce() {
        int mask = IrqSet.DATA_NONE | IrqSet.ACTION_MASK;
        long start = System.nanoTime();
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(mask, 2, 0, 0x1a79_5db1, null), 0));
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(mask, 2, 0, IrqSet.MAX_VECTORS + 1, null), 0));
        assertThrows(ProtocolException.class, () -> IrqSet.decode(payload(mask, 2, IrqSet.MAX_VECTORS, 1, null), 0));
        assertEquals(IrqSet.MAX_VECTORS, IrqSet.decode(payload(mask, 2, 0, IrqSet.MAX_VECTORS, null), 0).selected().length);
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "refusals cost nothing per announced vector");
    }

    @Test
    void disableAllIsCountZeroNoneTrigger() {
        IrqSet s = IrqSet.decode(payload(IrqSet.DATA_NONE | IrqSet.ACTION_TRIGGER, 0, 0, 0, null), 0);
        assertEquals(0, s.count());
    }
}
