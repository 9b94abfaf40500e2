package dev.vfiosim.simulator.pci;

/**
 * A memory BAR: which header slot it occupies, its size (a power of two, at least 16 bytes) and its
 * type. Sizing follows the PCI rules: address bits below the size are read-only zero, so writing
 * all-ones and reading back yields {@code ~(size - 1)} with the type bits.
 *
 * <pre>
 * BAR dword bits   meaning
 * 0                0 = memory space
 * 2:1              00 = 32-bit, 10 = 64-bit (the next BAR slot holds the upper address dword)
 * 3                prefetchable
 * 31:4             base address; bits below log2(size) read-only 0
 * </pre>
 */
public record BarDescriptor(int index, long size, boolean is64Bit, boolean prefetchable) {
    private static final int TYPE_64_BIT = 0b100;
    private static final int TYPE_PREFETCHABLE = 0b1000;
    private static final int TYPE_BITS = 0xF;
    private static final long MIN_SIZE = 16;
    private static final long MAX_32_BIT_SIZE = 1L << 31;
    private static final long DWORD_MASK = 0xFFFF_FFFFL;

    public BarDescriptor {
        if (index < 0 || index >= PciHeader.BAR_COUNT || is64Bit && (index % 2 != 0)) {
            throw new IllegalArgumentException("BAR index " + index + " cannot hold a " + (is64Bit ? "64" : "32") + "-bit BAR");
        }
        if (size < MIN_SIZE || Long.bitCount(size) != 1 || !is64Bit && size > MAX_32_BIT_SIZE) {
            throw new IllegalArgumentException("BAR size " + size + " is not a power of two the BAR type can hold");
        }
    }

    /** The low BAR dword's read-only type bits. */
    public int typeBits() {
        return (is64Bit ? TYPE_64_BIT : 0) | (prefetchable ? TYPE_PREFETCHABLE : 0);
    }

    /** Offset of this BAR's (low) register in config space. */
    public int registerOffset() {
        return PciHeader.BAR0 + Integer.BYTES * index;
    }

    /** Defines the BAR register(s) with their sizing masks. */
    public void define(ConfigSpace config) {
        long addressMask = ~(size - 1);
        config.define(registerOffset(), Integer.BYTES, typeBits(), (int) (addressMask & DWORD_MASK & ~TYPE_BITS), 0);
        if (is64Bit) {
            config.define(registerOffset() + Integer.BYTES, Integer.BYTES, 0, (int) (addressMask >>> Integer.SIZE), 0);
        }
    }
}
