package dev.vfiosim.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class NativeBlockTest {
    @Test
    void addressOfADirectBufferIsTheOneJniReports() {
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        ByteBuffer slice = direct.slice(24, 8);
        MemoryIO io = MemoryIO.getInstance();
        assertEquals(io.getDirectBufferAddress(direct), NativeBlock.addressOf(direct));
        assertEquals(io.getDirectBufferAddress(direct) + 24, NativeBlock.addressOf(slice));
        assertEquals(NativeBlock.addressOf(slice), NativeBlock.addressOf(slice.duplicate().position(4)),
                "the address is the first element's, whatever the position");
    }

    @Test
    void addressOfAHeapBufferIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NativeBlock.addressOf(ByteBuffer.allocate(16)));
    }

    @Test
    void bytesWrittenThroughTheAddressAreSeenByTheBuffer() {
        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        NativeBlock block = new NativeBlock(16);
        try {
            block.bytes.putLong(0, 0x1122334455667788L);
            NativeBlock.copy(block.address, NativeBlock.addressOf(direct) + 8, 8);
            assertEquals(0x1122334455667788L, direct.order(block.bytes.order()).getLong(8));
        } finally {
            block.free();
        }
    }

    @Test
    void fieldAccessGoesToTheBlockAndStaysInsideIt() {
        NativeBlock block = new NativeBlock(16);
        try {
            block.putLong(8, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, block.bytes.getLong(8), "the ByteBuffer view sees the store");
            assertEquals(0x0102030405060708L, block.getLong(8));
            assertEquals(0x05060708, block.getInt(8), "native (little-endian) order");
            assertThrows(IndexOutOfBoundsException.class, () -> block.putLong(9, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> block.getLong(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> block.getInt(13));
            assertEquals(0x01020304, block.getInt(12));
            assertEquals(0, block.getLong(0), "a fresh block is zeroed");
        } finally {
            block.free();
        }
    }
}
