package dev.vfiosim.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DmaTransferTest {
    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void specLayoutHasAU64CountAndDataAtSixteen() {
        ByteBuffer b = buffer();
        DmaTransfer.SPEC.write(b, 0x1122_3344_5566_7788L, 0x1000);
        assertEquals(16, b.position());
        assertEquals(16, DmaTransfer.SPEC.size());
        assertEquals(0x1122_3344_5566_7788L, b.getLong(0));
        assertEquals(0x1000, b.getLong(8));
        b.flip();
        assertEquals(0x1122_3344_5566_7788L, DmaTransfer.SPEC.address(b));
        assertEquals(0x1000, DmaTransfer.SPEC.count(b));
    }

    @Test
    void qemuLayoutHasAU32CountAndDataAtTwelve() {
        ByteBuffer b = buffer();
        DmaTransfer.QEMU.write(b, 0x4000_0000L, 0xFFFF_FFF0L);
        assertEquals(12, b.position(), "QEMU's VFIOUserDMARW: u64 offset, u32 count, data");
        assertEquals(12, DmaTransfer.QEMU.size());
        assertEquals(0x4000_0000L, b.getLong(0));
        b.flip();
        assertEquals(0xFFFF_FFF0L, DmaTransfer.QEMU.count(b), "the u32 count is unsigned");
        assertEquals(0xFFFF_FFFFL, DmaTransfer.QEMU.maxCount());
    }

    @Test
    void theProposedMinorTellsTheLayout() {
        assertEquals(DmaTransfer.QEMU, DmaTransfer.forProposal(new VersionMessage(0, 0, Optional.of("{}"))));
        assertEquals(DmaTransfer.SPEC, DmaTransfer.forProposal(new VersionMessage(0, 1, Optional.empty())));
        assertEquals(DmaTransfer.SPEC, DmaTransfer.forProposal(new VersionMessage(0, 2, Optional.of("{}"))));
    }
}
