package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.device.Bar0;
import dev.vfiosim.simulator.pci.DwordRegisterBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UAR pages at BAR0 {@link Bar0#UAR_PAGES}: UAR index n is the 4 KiB BAR0 page n (offsets this
 * block sees are relative to the first UAR page). Registers read 0; a write only latches and wakes
 * the engine, like every doorbell. Big-endian (the BAR swaps the lanes).
 *
 * <pre>
 * page off  register            write (BE32)
 * 0x040     EQ doorbell, arm    bits 31:24 EQ number, 23:0 the driver's consumer counter: consumed
 *                               up to there, and interrupt again on the next EQE
 * 0x048     EQ doorbell         the same without arming
 * 0x020     CQ arm doorbell     (mlx5's 64-bit CQ doorbell) counted and ignored: the loopback CQs
 *                               arm through the doorbell page
 * 0x800-    blue flame / send   counted and ignored
 * others                        ignored
 * </pre>
 * A write to a UAR page that was not handed out, or naming an EQ the device does not have, is what
 * hardware ignores: it is counted and logged (rate-limited), never an error of the region write.
 */
public final class UarPages implements DwordRegisterBlock {
    public static final int EQ_DOORBELL_ARM = 0x040;
    public static final int EQ_DOORBELL = 0x048;
    public static final int CQ_DOORBELL = 0x020;
    public static final int EQ_NUMBER_SHIFT = 24;
    public static final int CONSUMER_MASK = (1 << EQ_NUMBER_SHIFT) - 1;
    private static final int PAGE_MASK = Bar0.WINDOW_SIZE - 1;
    private static final Logger LOG = LoggerFactory.getLogger(UarPages.class);

    private final DoorbellPage doorbells;
    private long ignored;

    public UarPages(DoorbellPage doorbells) {
        this.doorbells = doorbells;
    }

    @Override
    public int read(int offset) {
        return 0;
    }

    @Override
    public void write(int offset, int value) {
        int at = offset & PAGE_MASK;
        if (at == EQ_DOORBELL_ARM || at == EQ_DOORBELL) {
            doorbells.eqDoorbell(value >>> EQ_NUMBER_SHIFT, value & CONSUMER_MASK, at == EQ_DOORBELL_ARM);
            return;
        }
        long n;
        synchronized (this) {
            n = ++ignored;
        }
        if (Long.bitCount(n) == 1) {
            LOG.debug("UAR {} write at +0x{} (value 0x{}) is not a doorbell this model acts on; ignored ({} so far)",
                    Bar0.FIRST_UAR_INDEX + offset / Bar0.WINDOW_SIZE, Integer.toHexString(at), Integer.toHexString(value), n);
        }
    }

    /** UAR writes the device ignored (not an EQ doorbell). */
    public synchronized long ignored() {
        return ignored;
    }
}
