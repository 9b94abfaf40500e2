package dev.vfiosim.simulator.irq;

import java.util.Arrays;

/**
 * The MSI-X table and Pending Bit Array. VMM-owned state: the client programs the table, and the
 * PBA is what the VMM reads back; the device only sets pending bits. Not thread-safe on its own:
 * the {@link InterruptController} that owns it serialises every access.
 *
 * <pre>
 * table entry (16 bytes, entry v at 16*v)   PBA
 * +0x0 4 Message Address low   RW          bit v of the qword at 8*(v/64): vector v pending, RO
 * +0x4 4 Message Address high  RW
 * +0x8 4 Message Data          RW
 * +0xC 4 Vector Control        bit 0 Mask RW (reset 1); bits 31:1 RO 0
 * </pre>
 * Offsets past the last entry (or the last PBA qword) read 0 and ignore writes.
 */
public final class MsixTable {
    public static final int ENTRY_SIZE = 16;
    public static final int ADDRESS_LOW = 0x0;
    public static final int ADDRESS_HIGH = 0x4;
    public static final int DATA = 0x8;
    public static final int VECTOR_CONTROL = 0xC;
    public static final int MASK = 1;
    private static final int DWORDS_PER_ENTRY = ENTRY_SIZE / Integer.BYTES;
    private static final int VECTORS_PER_PBA_DWORD = Integer.SIZE;
    private static final long DWORD_MASK = 0xFFFF_FFFFL;

    private final int vectors;
    private final int[] entries;
    private final int[] pending;

    public MsixTable(int vectors) {
        this.vectors = vectors;
        this.entries = new int[vectors * DWORDS_PER_ENTRY];
        // The PBA is qword-granular: round up to whole qwords (two dwords).
        this.pending = new int[2 * ((vectors + Long.SIZE - 1) / Long.SIZE)];
        for (int v = 0; v < vectors; v++) {
            maskEntry(v, true);
        }
    }

    public int vectors() {
        return vectors;
    }

    /** Bytes of the table. */
    public int tableSize() {
        return vectors * ENTRY_SIZE;
    }

    /** Bytes of the PBA. */
    public int pbaSize() {
        return pending.length * Integer.BYTES;
    }

    public int readTable(int offset) {
        int dword = offset / Integer.BYTES;
        return dword < entries.length ? entries[dword] : 0;
    }

    public void writeTable(int offset, int value) {
        int dword = offset / Integer.BYTES;
        if (dword >= entries.length) {
            return;
        }
        entries[dword] = offset % ENTRY_SIZE == VECTOR_CONTROL ? value & MASK : value;
    }

    public int readPba(int offset) {
        int dword = offset / Integer.BYTES;
        return dword < pending.length ? pending[dword] : 0;
    }

    public boolean entryMasked(int vector) {
        return (entries[vector * DWORDS_PER_ENTRY + VECTOR_CONTROL / Integer.BYTES] & MASK) != 0;
    }

    public void maskEntry(int vector, boolean masked) {
        writeTable(vector * ENTRY_SIZE + VECTOR_CONTROL, masked ? MASK : 0);
    }

    public boolean pending(int vector) {
        return (pending[vector / VECTORS_PER_PBA_DWORD] & bit(vector)) != 0;
    }

    public void setPending(int vector, boolean isPending) {
        int dword = vector / VECTORS_PER_PBA_DWORD;
        pending[dword] = isPending ? pending[dword] | bit(vector) : pending[dword] & ~bit(vector);
    }

    public void clearPending() {
        Arrays.fill(pending, 0);
    }

    public MsixEntry entry(int vector) {
        int base = vector * DWORDS_PER_ENTRY;
        long address = entries[base] & DWORD_MASK | (long) entries[base + 1] << Integer.SIZE;
        return new MsixEntry(address, entries[base + DATA / Integer.BYTES], entryMasked(vector));
    }

    private static int bit(int vector) {
        return 1 << (vector % VECTORS_PER_PBA_DWORD);
    }
}
