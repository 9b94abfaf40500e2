package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DMA_READ / DMA_WRITE, the server's requests to the client for memory it mapped without an fd.
 * Two layouts are in use, and the client's VERSION proposal tells which one it speaks
 * ({@link #forProposal}; docs/dma.md):
 *
 * <pre>
 * SPEC (vfio-user spec, libvfio-user)      QEMU (hw/vfio-user/protocol.h VFIOUserDMARW)
 *  off size field                           off size field
 *    0  u64 address                           0  u64 address (QEMU: offset)
 *    8  u64 count                             8  u32 count
 *   16  var data                             12  var data
 * </pre>
 * Data follows in a DMA_WRITE request and a DMA_READ reply. A DMA_WRITE reply is accepted with or
 * without the echoed address and count (QEMU's is header-only).
 */
public enum DmaTransfer {
    SPEC(16),
    QEMU(12);

    /** Bytes before the data. */
    private final int size;

    DmaTransfer(int size) {
        this.size = size;
    }

    /**
     * The layout a client speaks, judged from its VERSION proposal: QEMU proposes minor 0 (and
     * refuses a higher one in the reply); libvfio-user's client and the spec's current version
     * propose 0.2, and vfio-sim's own client proposes 0.2 unless told otherwise.
     */
    public static DmaTransfer forProposal(VersionMessage proposal) {
        return proposal.minor() == 0 ? QEMU : SPEC;
    }

    public int size() {
        return size;
    }

    /** Writes the address and count at {@code out}'s position (relative puts). */
    public void write(ByteBuffer out, long address, long count) {
        out.putLong(address);
        if (this == SPEC) {
            out.putLong(count);
        } else {
            out.putInt((int) count);
        }
    }

    public long address(ByteBuffer p) {
        return p.getLong(p.position());
    }

    /** The count, unsigned; a u32 count never reads as negative. */
    public long count(ByteBuffer p) {
        return this == SPEC ? p.getLong(p.position() + 8) : Integer.toUnsignedLong(p.getInt(p.position() + 8));
    }

    /** Largest count this layout can carry. */
    public long maxCount() {
        return this == SPEC ? Long.MAX_VALUE : 0xFFFF_FFFFL;
    }
}
