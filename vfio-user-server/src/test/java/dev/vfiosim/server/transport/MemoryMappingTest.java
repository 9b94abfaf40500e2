package dev.vfiosim.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.pci.SharedMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.List;
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
            assertThrows(MappingFaultException.class, () -> view.getInt(0));
            assertThrows(MappingFaultException.class, () -> view.putInt(0, 2));
            assertThrows(MappingFaultException.class, () -> view.get(0, ByteBuffer.allocateDirect(4)));
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

    @Test
    void handedOutMemfdsCannotBeResized() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("sealed", 8192)) {
            memory.buffer().putInt(4096, 77);
            assertEquals(-1, Native.libc().ftruncate(memory.fd(), 0), "shrink");
            assertEquals(dev.vfiosim.simulator.Errno.EPERM.code(), Native.lastErrno());
            assertEquals(-1, Native.libc().ftruncate(memory.fd(), 1 << 20), "grow");
            assertEquals(dev.vfiosim.simulator.Errno.EPERM.code(), Native.lastErrno());
            assertEquals(77, memory.buffer().getInt(4096), "the memory is still there");
        }
    }

    /** The peer shrinks a file it mapped to us: every kind of access past the new end fails cleanly. */
    @Test
    void accessesPastAShrunkFileFailInsteadOfRaisingSigbus() throws Exception {
        int before = OpenFileDescriptors.settled();
        int fd = Native.libc().memfd_create("shrinkable", 1);   // MFD_CLOEXEC, not sealable
        assertEquals(0, Native.libc().ftruncate(fd, 1 << 20));
        try (MappedMemory view = MappedMemory.map(fd, 4096, (1 << 20) - 4096, true)) {
            view.putLong(8192, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, view.getLong(8192));
            assertEquals(0, Native.libc().ftruncate(fd, 8192));   // the first page of the view survives
            view.putInt(16, 5);
            assertEquals(5, view.getInt(16));
            byte[] array = new byte[64];
            assertThrows(MappingFaultException.class, () -> view.get(8192, array, 0, 64));
            assertThrows(MappingFaultException.class, () -> view.put(8192, array, 0, 64));
            assertThrows(MappingFaultException.class, () -> view.get(4090, array, 0, 64), "straddles the end");
            assertThrows(MappingFaultException.class, () -> view.get(8192, ByteBuffer.allocate(64)));
            assertThrows(MappingFaultException.class, () -> view.get(8192, ByteBuffer.allocateDirect(64)));
            assertThrows(MappingFaultException.class, () -> view.put(8192, ByteBuffer.allocateDirect(64)));
            assertThrows(MappingFaultException.class, () -> view.put(8192, ByteBuffer.wrap(array).asReadOnlyBuffer()));
            assertThrows(MappingFaultException.class, () -> view.getByte(8192));
            assertThrows(MappingFaultException.class, () -> view.putByte(8192, (byte) 1));
            assertThrows(MappingFaultException.class, () -> view.getInt(8192));
            assertThrows(MappingFaultException.class, () -> view.putLong(8192, 1));
            assertEquals(11, view.faults());
            assertEquals(8192, java.nio.file.Files.size(java.nio.file.Path.of("/proc/self/fd/" + fd)),
                    "a refused write did not grow the file back");
            assertEquals(5, view.getInt(16), "memory that is still there still works");
        } finally {
            FileDescriptors.close(fd);
        }
        assertEquals(before, OpenFileDescriptors.awaitAtMost(before), "the view's own file description is closed");
    }

    @Test
    void boundedCloseUnmapsAnIdleMapping() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("bounded", 4096)) {
            MappedMemory view = MappedMemory.map(memory.fd(), 0, 4096, true);
            view.putInt(0, 3);
            assertTrue(view.close(1_000_000L));
            assertTrue(view.close(0), "a second close finds it unmapped");
            assertThrows(MappingFaultException.class, () -> view.getInt(0));
        }
    }

    /** Close while copies run: each copy either completes or is refused; none touches unmapped memory. */
    @Test
    void closeUnderConcurrentCopiesRefusesLaterOnesCleanly() throws Exception {
        try (MemfdSharedMemory memory = MemfdSharedMemory.create("racing", 1 << 20)) {
            MappedMemory view = MappedMemory.map(memory.fd(), 0, 1 << 20, true);
            int threads = 3;
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(threads);
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> endings = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> copiers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread copier = new Thread(() -> {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(64 << 10);
                    running.countDown();
                    try {
                        while (true) {
                            view.get(0, chunk.clear());
                            view.put(4096, chunk.flip());
                        }
                    } catch (Throwable e) {
                        endings.add(e);
                    }
                });
                copier.start();
                copiers.add(copier);
            }
            running.await();
            assertTrue(view.close(java.util.concurrent.TimeUnit.SECONDS.toNanos(5)), "copies are short: close got its turn");
            for (Thread copier : copiers) {
                copier.join(10_000);
            }
            assertEquals(threads, endings.size());
            endings.forEach(e -> assertEquals(MappingFaultException.class, e.getClass(), e.toString()));
        }
    }
}
