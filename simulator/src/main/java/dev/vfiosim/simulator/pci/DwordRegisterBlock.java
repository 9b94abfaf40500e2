package dev.vfiosim.simulator.pci;

/**
 * A block of 32-bit registers trapped in a BAR. Offsets are dword-aligned and relative to the
 * block. The BAR merges narrower client writes into a full dword (read-modify-write of the
 * register's current value) before calling {@link #write}, so a block only sees whole registers.
 */
public interface DwordRegisterBlock {
    int read(int offset);

    void write(int offset, int value);

    /** Reserved space: reads 0, writes are ignored. */
    DwordRegisterBlock RESERVED = new DwordRegisterBlock() {
        @Override
        public int read(int offset) {
            return 0;
        }

        @Override
        public void write(int offset, int value) {
        }
    };
}
