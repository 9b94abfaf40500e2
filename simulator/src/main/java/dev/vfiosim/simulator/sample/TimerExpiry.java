package dev.vfiosim.simulator.sample;

import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaFaultException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the sample does when its timer expires, in this order: raise INTx vector 0; the direct
 * phase on DMA slot 1; the message phase on DMA slot 0.
 *
 * <pre>
 * direct  (slot 1, base B1): write 1024 x ('A' + i) at B1 + i*1024, i = 0..3; read 2048 at B1 and at
 *         B1 + 2048; the 4096 bytes read must equal those written
 * message (slot 0, base B0): the same through DMA_WRITE / DMA_READ messages (the server cuts each
 *         transfer into pieces of the client's max_data_xfer_size: 4 DMA_WRITE then 4 DMA_READ of
 *         1024 bytes for libvfio-user's client)
 * </pre>
 * Upstream ends the process (status 1) when the interrupt cannot be delivered, a DMA fails or the
 * data differ; here the expiry stops with an error log line and an {@link Outcome} saying why,
 * and the device keeps serving.
 */
public final class TimerExpiry {
    private static final Logger LOG = LoggerFactory.getLogger(TimerExpiry.class);
    public static final int DIRECT_SLOT = 1;
    public static final int MESSAGE_SLOT = 0;
    public static final int PIECE = 1024;
    public static final int PIECES = 4;
    public static final int TOTAL = PIECE * PIECES;

    /** How an expiry ended. */
    public enum Outcome {
        DONE,
        /** No eventfd wired to INTx: upstream exits 1 ("vfu_irq_trigger() failed"). */
        INTERRUPT_NOT_WIRED,
        /** A DMA access failed: upstream exits 1 ("failed to map ...", "vfu_sgl_write/read failed"). */
        DMA_FAILED,
        /** What was read back differs: upstream exits 1 ("DMA write and DMA read mismatch"). */
        MISMATCH
    }

    /** What an expiry needs from the host: INTx, and guest memory directly or by messages. */
    public interface Ports {
        /** Raises INTx vector 0; false when nothing is wired to it. */
        boolean raiseIntx();

        /** Guest memory accessed directly (mapped memory, dirty pages marked). */
        Dma direct();

        /** Guest memory accessed through DMA_READ / DMA_WRITE messages to the client. */
        Dma messages();
    }

    private final DmaSlots slots;
    private final Ports ports;
    private final PrintStream stdout;

    /** {@code stdout} gets upstream's one line per expiry, {@code doing dma io} (the process's stdout when served). */
    public TimerExpiry(DmaSlots slots, Ports ports, PrintStream stdout) {
        this.slots = slots;
        this.ports = ports;
        this.stdout = stdout;
    }

    /** The data written in either phase: 1024 x 'A', 'B', 'C', 'D'. */
    public static byte[] pattern() {
        byte[] data = new byte[TOTAL];
        for (int i = 0; i < PIECES; i++) {
            Arrays.fill(data, i * PIECE, (i + 1) * PIECE, (byte) ('A' + i));
        }
        return data;
    }

    public Outcome run() {
        if (!ports.raiseIntx()) {
            LOG.error("vfu_irq_trigger() failed: no eventfd is wired to INTx; the DMA is skipped");
            return Outcome.INTERRUPT_NOT_WIRED;
        }
        stdout.println("doing dma io");
        stdout.flush();
        Outcome direct = exchange("DIRECT", ports.direct(), slots.slot(DIRECT_SLOT));
        if (direct != Outcome.DONE) {
            return direct;
        }
        return exchange("MESSAGE", ports.messages(), slots.slot(MESSAGE_SLOT));
    }

    private static Outcome exchange(String phase, Dma dma, DmaSlots.Slot slot) {
        byte[] written = pattern();
        ByteBuffer read = ByteBuffer.allocate(TOTAL);
        try {
            for (int i = 0; i < PIECES; i++) {
                dma.write(slot.base() + (long) i * PIECE, ByteBuffer.wrap(written, i * PIECE, PIECE));
            }
            dma.read(slot.base(), read.slice(0, TOTAL / 2));
            dma.read(slot.base() + TOTAL / 2, read.slice(TOTAL / 2, TOTAL / 2));
        } catch (DmaFaultException e) {
            LOG.error("do_dma_io: {} DMA on slot (0x{} +0x{}) failed: {}", phase, Long.toHexString(slot.base()),
                    Long.toHexString(slot.length()), e.getMessage());
            return Outcome.DMA_FAILED;
        }
        if (!Arrays.equals(written, read.array())) {
            LOG.error("DMA write and DMA read mismatch ({} phase)", phase);
            return Outcome.MISMATCH;
        }
        LOG.debug("do_dma_io: {} success", phase);
        return Outcome.DONE;
    }
}
