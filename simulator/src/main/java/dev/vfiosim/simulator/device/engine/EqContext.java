package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * CREATE_EQ's input (mlx5's create_eq_in with its eqc), big-endian, offsets from the input start.
 *
 * <pre>
 * off    bits   field
 * 0x00   31:16  opcode (0x301)                0x06  op_mod
 * 0x10          eqc (0x40 bytes):
 * 0x10   31:28  status; 18 ec; 17 oi; 11:8 st
 * 0x18   11:6   page_offset (must be 0)
 * 0x1C   28:24  log_eq_size;  23:0 uar_page (a UAR ALLOC_UAR handed out)
 * 0x24   11:0   intr (the MSI-X vector)
 * 0x28   28:24  log_page_size (pages of 4 KiB << this)
 * 0x38   23:0   consumer_counter             0x3C  23:0 producer_counter
 * 0x58   63:0   event_bitmask[0]: bit n = the EQ takes events of type n (mask words 1-3 at 0x60-0x77 unused)
 * 0x110         pas[]: BE64 page addresses, as many as the ring needs (each 4 KiB aligned)
 * </pre>
 */
public record EqContext(int logEqSize, int uarPage, int vector, int logPageSize, int pageOffset, long eventMask, long[] pages) {
    public static final int PAGE_SHIFT = 12;
    public static final int EQC = 0x10;
    public static final int PAGE_OFFSET = EQC + 0x08;
    public static final int LOG_EQ_SIZE_UAR = EQC + 0x0C;
    public static final int INTR = EQC + 0x14;
    public static final int LOG_PAGE_SIZE = EQC + 0x18;
    public static final int EVENT_BITMASK = 0x58;
    public static final int PAS = 0x110;
    public static final int MAX_LOG_PAGE_SIZE = 8;
    private static final int UAR_MASK = 0xFF_FFFF;
    private static final int FIVE_BITS = 0x1F;
    private static final int SIX_BITS = 0x3F;
    private static final int INTR_MASK = 0xFFF;
    private static final int HIGH_BYTE = 24;
    private static final int PAGE_OFFSET_SHIFT = 6;

    /** Decodes the fixed part; {@link #pages} holds as many addresses as the ring needs (the caller checked the length). */
    public static EqContext decode(ByteBuffer in) {
        int sizeUar = in.getInt(LOG_EQ_SIZE_UAR);
        int logEqSize = sizeUar >>> HIGH_BYTE & FIVE_BITS;
        int logPageSize = in.getInt(LOG_PAGE_SIZE) >>> HIGH_BYTE & FIVE_BITS;
        int npages = pagesNeeded(logEqSize, logPageSize);
        long[] pages = new long[Math.max(0, Math.min(npages, (in.limit() - PAS) / Long.BYTES))];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = in.getLong(PAS + i * Long.BYTES);
        }
        return new EqContext(logEqSize, sizeUar & UAR_MASK, in.getInt(INTR) & INTR_MASK, logPageSize,
                in.getInt(PAGE_OFFSET) >>> PAGE_OFFSET_SHIFT & SIX_BITS, in.getLong(EVENT_BITMASK), pages);
    }

    /** Pages of 4 KiB &lt;&lt; logPageSize that 2^logEqSize EQEs fill. */
    public static int pagesNeeded(int logEqSize, int logPageSize) {
        long bytes = (long) EventQueueEntry.SIZE << logEqSize;
        long page = 1L << PAGE_SHIFT + logPageSize;
        return (int) ((bytes + page - 1) / page);
    }

    /** The driver's side: the whole create_eq_in for this context (header included). */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(PAS + pages.length * Long.BYTES).order(ByteOrder.BIG_ENDIAN);
        b.putShort(0, (short) CommandOpcode.CREATE_EQ.code());
        b.putInt(LOG_EQ_SIZE_UAR, logEqSize << HIGH_BYTE | uarPage & UAR_MASK).putInt(INTR, vector & INTR_MASK)
                .putInt(LOG_PAGE_SIZE, logPageSize << HIGH_BYTE).putInt(PAGE_OFFSET, pageOffset << PAGE_OFFSET_SHIFT)
                .putLong(EVENT_BITMASK, eventMask);
        for (int i = 0; i < pages.length; i++) {
            b.putLong(PAS + i * Long.BYTES, pages[i]);
        }
        return b.array();
    }
}
