package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * DMA_READ / DMA_WRITE, the server's requests to the client for memory it mapped without an fd, in
 * the layout of the vfio-user spec and libvfio-user.
 *
 * <pre>
 *  off size field
 *    0  u64 address   IOVA inside a DMA_MAP'd range
 *    8  u64 count     bytes, at most the client's max_data_xfer_size
 *   16  var data      DMA_WRITE request and DMA_READ reply only
 * </pre>
 * QEMU's client declares a different layout (u32 count, data at offset 12, header-only DMA_WRITE
 * reply): see docs/dma.md. Replies are accepted with or without the 16-byte echo.
 */
public final class DmaTransfer {
    public static final int SIZE = 16;

    private DmaTransfer() {
    }

    public static void write(ByteBuffer out, long address, long count) {
        out.putLong(address).putLong(count);
    }

    public static long address(ByteBuffer p) {
        return p.getLong(p.position());
    }

    public static long count(ByteBuffer p) {
        return p.getLong(p.position() + 8);
    }
}
