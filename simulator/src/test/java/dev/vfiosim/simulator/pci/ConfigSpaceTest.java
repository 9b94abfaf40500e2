package dev.vfiosim.simulator.pci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigSpaceTest {
    private final ConfigSpace config = new ConfigSpace();

    @Test
    void writesOnlyChangeWritableBits() {
        config.define(0x40, 2, 0x8001, 0x00F0, 0);
        config.write(0x40, 2, 0xFFFF);
        assertEquals(0x80F1, config.read(0x40, 2));
        config.write(0x40, 2, 0x0000);
        assertEquals(0x8001, config.read(0x40, 2));
    }

    @Test
    void readOnlyBytesIgnoreWrites() {
        config.defineReadOnly(0x00, 4, 0x101e15b3);
        config.write(0x00, 4, 0);
        config.write(0x01, 1, 0xAA);
        assertEquals(0x101e15b3, config.read(0x00, 4));
    }

    @Test
    void writeOneClearsOnlyTheBitsWrittenAsOne() {
        config.define(0x06, 2, 0xF900, 0, 0xF900);
        config.write(0x06, 2, 0x0800);
        assertEquals(0xF100, config.read(0x06, 2));
        config.write(0x06, 2, 0);
        assertEquals(0xF100, config.read(0x06, 2));
    }

    @Test
    void accessOfOddLengthIsAppliedByteByByte() {
        config.define(0x40, 4, 0, 0xFFFFFFFF, 0);
        config.write(0x41, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        ByteBuffer out = ByteBuffer.allocate(5);
        config.read(0x40, out);
        assertArrayEquals(new byte[] {0, 1, 2, 3, 0}, out.array());
    }

    @Test
    void accessesBeyondTheSpaceAreInvalid() {
        DeviceException read = assertThrows(DeviceException.class, () -> config.read(0xFFE, 4));
        assertEquals(Errno.EINVAL, read.errno());
        assertTrue(read.getMessage().contains("0xffe"), read.getMessage());
        DeviceException write = assertThrows(DeviceException.class,
                () -> config.write(ConfigSpace.SIZE, ByteBuffer.allocate(1)));
        assertEquals(Errno.EINVAL, write.errno());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> config.read(0, 3)).errno());
    }

    @Test
    void hookSeesRequestedValueEvenForReadOnlyBits() {
        config.define(0x48, 2, 0x0010, 0x00FF, 0);
        List<int[]> calls = new ArrayList<>();
        config.onWrite(0x48, 2, (before, requested, after) -> calls.add(new int[] {before, requested, after}));
        config.write(0x49, 1, 0x80);
        assertEquals(1, calls.size());
        assertArrayEquals(new int[] {0x0010, 0x8010, 0x0010}, calls.get(0));
        config.write(0x40, ByteBuffer.allocate(16));
        assertEquals(2, calls.size(), "a write covering the register triggers the hook");
        config.write(0x4A, 2, 0xFFFF);
        assertEquals(2, calls.size(), "a write beside the register does not");
    }

    @Test
    void reflectSetsReadOnlyBits() {
        config.define(0x06, 2, 0x0010, 0, 0);
        config.reflect(0x06, 2, 0x0008, true);
        assertEquals(0x0018, config.read(0x06, 2));
        config.reflect(0x06, 2, 0x0008, false);
        assertEquals(0x0010, config.read(0x06, 2));
    }
}
