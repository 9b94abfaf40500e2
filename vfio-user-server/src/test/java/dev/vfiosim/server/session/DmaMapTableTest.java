package dev.vfiosim.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vfiosim.server.protocol.DmaMap;
import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.server.transport.Native;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.dma.DmaFaultException;
import dev.vfiosim.simulator.fault.FaultInjector;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The table's unsigned 64-bit range math, with message-based (fd-less) mappings. */
class DmaMapTableTest {
    private static final int RW = DmaMap.FLAG_READ | DmaMap.FLAG_WRITE;
    private static final long HIGH = 0x8000_0000_0000_0000L;   // 2^63
    private static final long TOP_PAGE = -4096L;               // 2^64 - 4096

    private final DmaMapTable table = new DmaMapTable(16, new DmaLogging(1 << 20, FaultInjector.NONE), FaultInjector.NONE);

    private void map(long iova, long size) {
        table.map(new DmaMap(RW, 0, iova, size), -1);
    }

    private static Errno errno(Runnable call) {
        return assertThrows(ProtocolException.class, call::run).errno();
    }

    @Test
    void mappingsAboveAndBelowTwoToTheSixtyThirdCoexist() {
        map(0x1000, 0x1000);
        map(HIGH, 0x2000);
        map(HIGH - 0x1000, 0x1000);          // ends exactly where the high one starts
        map(TOP_PAGE - 0x1000, 0x1000);      // just below the last page
        assertEquals(4, table.size());
        assertEquals(Errno.EEXIST, errno(() -> map(HIGH + 0x1000, 0x1000)), "inside the high mapping");
        assertEquals(Errno.EEXIST, errno(() -> map(HIGH - 0x1000, 0x2000)), "straddles 2^63");
        assertEquals(Errno.EINVAL, errno(() -> map(TOP_PAGE, 0x1000)), "would end at 2^64");
        assertEquals(Errno.EINVAL, errno(() -> map(TOP_PAGE, 0x2000)), "wraps");
    }

    @Test
    void unmapUsesUnsignedRanges() {
        map(0x1000, 0x1000);
        map(HIGH, 0x2000);
        map(TOP_PAGE - 0x1000, 0x1000);
        assertEquals(Errno.EINVAL, errno(() -> table.unmap(TOP_PAGE, 0x2000)), "wraps 2^64");
        assertEquals(Errno.EINVAL, errno(() -> table.unmap(HIGH, HIGH + 0x1000)), "2^63 + 2^63 + 4 KiB wraps");
        assertEquals(Errno.EINVAL, errno(() -> table.unmap(HIGH + 0x1000, 0x1000)), "splits the high mapping");
        assertEquals(Errno.EINVAL, errno(() -> table.unmap(HIGH, 0x1000)), "splits the high mapping");
        assertEquals(Errno.ENOENT, errno(() -> table.unmap(0x10000, 0x1000)));
        assertEquals(2, table.unmap(HIGH, HIGH).size(), "[2^63, 2^64) holds two mappings");
        assertEquals(1, table.size());
        assertEquals(Errno.EINVAL, errno(() -> table.unmap(0x1000, 0)), "empty, as the kernel answers");
        assertEquals(Errno.EINVAL, errno(() -> table.unmap(0x1800, 0x1000)), "not page-aligned");
        assertEquals(1, table.unmap(0, HIGH).size(), "[0, 2^63)");
        assertEquals(0, table.size());
    }

    @Test
    void accessesOutsideAMappingFaultWithoutWrapping() {
        map(HIGH, 0x2000);
        ByteBuffer eight = ByteBuffer.allocate(8);
        assertThrows(DmaFaultException.class, () -> table.read(HIGH + 0x2000 - 4, eight.clear()), "crosses the end");
        assertThrows(DmaFaultException.class, () -> table.read(-8L, eight.clear()), "far above, offset + length wraps");
        assertThrows(DmaFaultException.class, () -> table.read(HIGH - 8, eight.clear()), "below the mapping");
        assertThrows(DmaFaultException.class, () -> table.write(0, eight.clear()), "nothing mapped there");
        assertEquals(4, table.faults());
    }

    @Test
    void fdOffsetsBeyondTheLargestFileAreRefused() {
        assertEquals(Errno.EINVAL, errno(() -> table.map(new DmaMap(RW, HIGH, 0x1000, 0x1000), memfd())));
        assertEquals(Errno.EINVAL, errno(() -> table.map(new DmaMap(RW, HIGH - 0x1000, 0x1000, 0x2000), memfd())));
        assertEquals(Errno.EINVAL, errno(() -> table.map(new DmaMap(RW, HIGH - 0x1000, 0x1000, 0x1000), memfd())),
                "ends at 2^63 exactly");
        assertEquals(Errno.EINVAL, errno(() -> table.map(new DmaMap(RW, 0x2000, 0x1000, 0x1000), memfd())),
                "past the end of the file");
        table.map(new DmaMap(RW, HIGH, 0x1000, 0x1000), -1);   // without an fd the offset means nothing
        assertEquals(1, table.size());
    }

    /** A 4 KiB memfd; the table takes ownership. */
    private static int memfd() {
        int fd = Native.libc().memfd_create("dma", 1);
        assertEquals(0, Native.libc().ftruncate(fd, 4096));
        return fd;
    }
}
