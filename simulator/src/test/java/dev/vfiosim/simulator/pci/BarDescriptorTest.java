package dev.vfiosim.simulator.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BarDescriptorTest {
    @Test
    void sizingA64BitPrefetchableBarReturnsTheSizeMaskAndTypeBits() {
        ConfigSpace config = new ConfigSpace();
        new BarDescriptor(0, 128 * 1024, true, true).define(config);
        config.write(0x10, 4, 0xFFFFFFFF);
        config.write(0x14, 4, 0xFFFFFFFF);
        int low = config.read(0x10, 4);
        assertEquals(0xFFFE000C, low);
        assertEquals(0xFFFFFFFF, config.read(0x14, 4));
        assertEquals(128 * 1024, ~(low & ~0xF) + 1);
    }

    @Test
    void aBigBarMakesUpperAddressBitsReadOnly() {
        ConfigSpace config = new ConfigSpace();
        new BarDescriptor(2, 1L << 33, true, false).define(config);
        config.write(0x18, 4, 0xFFFFFFFF);
        config.write(0x1C, 4, 0xFFFFFFFF);
        assertEquals(0x00000004, config.read(0x18, 4));
        assertEquals(0xFFFFFFFE, config.read(0x1C, 4));
    }

    @Test
    void programmedAddressKeepsTypeBits() {
        ConfigSpace config = new ConfigSpace();
        new BarDescriptor(0, 4096, false, false).define(config);
        config.write(0x10, 4, 0xFEB01234);
        assertEquals(0xFEB01000, config.read(0x10, 4));
    }

    @Test
    void rejectsSizesThatAreNotPowersOfTwoAndOddSlotsFor64Bit() {
        assertThrows(IllegalArgumentException.class, () -> new BarDescriptor(0, 3000, false, false));
        assertThrows(IllegalArgumentException.class, () -> new BarDescriptor(1, 4096, true, false));
    }
}
