package dev.vfiosim.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vfiosim.simulator.pci.SharedMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class MemoryMappingTest {
    @Test
    void writesThroughBufferAreVisibleThroughASecondMapping() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("bar0", 8192);
                MappedMemory view = MappedMemory.map(memory.fd(), 0, 8192, true)) {
            ByteBuffer buffer = memory.buffer();
            assertEquals(ByteOrder.LITTLE_ENDIAN, buffer.order());
            assertEquals(0, buffer.position());
            assertEquals(8192, buffer.limit());
            assertNotSame(buffer, memory.buffer());
            buffer.putInt(4096, 0xCAFEF00D);
            assertEquals(0xCAFEF00D, view.getInt(4096));
            view.putLong(8, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, memory.buffer().getLong(8));
        }
    }

    @Test
    void unalignedOffsetsAreHandled() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("unaligned", 3 * 4096);
                MappedMemory view = MappedMemory.map(memory.fd(), 4096 + 100, 200, false)) {
            memory.buffer().put(4096 + 100, (byte) 0x5A).put(4096 + 299, (byte) 0x6B);
            assertEquals(0x5A, view.getByte(0));
            assertEquals(0x6B, view.getByte(199));
            assertThrows(IndexOutOfBoundsException.class, () -> view.getByte(200));
            assertThrows(ReadOnlyBufferException.class, () -> view.putByte(0, (byte) 1));
        }
    }

    @Test
    void byteArraysAndBuffersCopyBothWays() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("copies", 4096);
                MappedMemory view = MappedMemory.map(memory.fd(), 0, 4096, true)) {
            byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
            view.put(10, data, 0, data.length);
            byte[] back = new byte[8];
            view.get(10, back, 0, back.length);
            assertArrayEquals(data, back);

            ByteBuffer direct = ByteBuffer.allocateDirect(8);
            view.get(10, direct);
            assertEquals(8, direct.position());
            assertEquals(ByteBuffer.wrap(data), direct.flip());

            view.put(100, ByteBuffer.wrap(data).asReadOnlyBuffer());
            ByteBuffer heap = ByteBuffer.allocate(8);
            view.get(100, heap);
            assertArrayEquals(data, heap.array());

            view.put(200, direct.rewind());
            assertEquals(3, memory.buffer().get(202));
            assertThrows(IndexOutOfBoundsException.class, () -> view.get(4090, new byte[8], 0, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> view.get(-1, new byte[1], 0, 1));
        }
    }

    @Test
    void accessAfterCloseThrowsInsteadOfCrashing() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("closed", 4096)) {
            MappedMemory view = MappedMemory.map(memory.fd(), 0, 4096, true);
            view.putInt(0, 1);
            view.close();
            view.close();
            assertThrows(IllegalStateException.class, () -> view.getInt(0));
            assertThrows(IllegalStateException.class, () -> view.putInt(0, 2));
            assertThrows(IllegalStateException.class, () -> view.get(0, ByteBuffer.allocateDirect(4)));
        }
    }

    @Test
    void mappingPastTheEndOfTheFileIsRefused() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("short", 4096)) {
            assertThrows(TransportException.class, () -> MappedMemory.map(memory.fd(), 0, 8192, true));
        }
    }

    @Test
    void allocatorMakesMemfdsAndCloseReleasesTheFd() throws Exception {
        int before = OpenFileDescriptors.settled();
        SharedMemory memory = MemfdSharedMemory.allocator().allocate("alloc", 4096);
        assertEquals(4096, memory.size());
        memory.buffer().putInt(0, 9);
        assertEquals(9, memory.buffer().getInt(0));
        memory.close();
        memory.close();
        assertEquals(before, OpenFileDescriptors.awaitAtMost(before));
        assertThrows(IllegalStateException.class, memory::buffer);
    }
}
