package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.pci.DwordRegisterBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue doorbell registers at BAR0 0x4000 (offsets below are relative to it). A write only
 * latches which queue was rung and wakes the engine; it never touches guest memory or waits.
 * All registers read 0. Queue numbers at or above 64 are ignored (no limit comes near).
 *
 * <pre>
 * off    register       write
 * 0x000  SQ doorbell    SQ number: re-read the SQ's doorbell record and send what it posts
 * 0x004  RQ doorbell    RQ number: a hint only; the device re-reads RQ doorbell records when it runs out of buffers
 * 0x008  CQ doorbell    CQ number: arm the CQ for one completion event (and re-read its consumer counter)
 * 0x00C  EQ doorbell    bits 31:24 EQ number, 23:0 the driver's consumer counter (low 24 bits)
 * </pre>
 */
public final class DoorbellPage implements DwordRegisterBlock {
    public static final int SQ_DOORBELL = 0x000;
    public static final int RQ_DOORBELL = 0x004;
    public static final int CQ_DOORBELL = 0x008;
    public static final int EQ_DOORBELL = 0x00C;
    public static final int EQ_NUMBER_SHIFT = EventQueue.CONSUMER_BITS;
    private static final int LATCHES = Long.SIZE;
    private static final Logger LOG = LoggerFactory.getLogger(DoorbellPage.class);

    /** What was rung since the last {@link #take()}: bit n = queue n; {@code eqConsumer[n]} valid where bit n of {@code eqs}. */
    record Rung(long sqs, long rqs, long cqArms, long eqs, int[] eqConsumer) {
    }

    private Runnable wake = () -> { };
    private long sqs;
    private long rqs;
    private long cqArms;
    private long eqs;
    private final int[] eqConsumer = new int[LATCHES];

    /** Called after every latching write (the engine's wake-up). */
    public synchronized void onRing(Runnable wake) {
        this.wake = wake;
    }

    @Override
    public int read(int offset) {
        return 0;
    }

    @Override
    public void write(int offset, int value) {
        Runnable toWake;
        synchronized (this) {
            switch (offset) {
                case SQ_DOORBELL -> sqs |= bit(value, "SQ");
                case RQ_DOORBELL -> rqs |= bit(value, "RQ");
                case CQ_DOORBELL -> cqArms |= bit(value, "CQ");
                case EQ_DOORBELL -> {
                    int eq = value >>> EQ_NUMBER_SHIFT;
                    eqs |= bit(eq, "EQ");
                    eqConsumer[eq] = value & EventQueue.CONSUMER_MASK;
                }
                default -> {
                    return;
                }
            }
            toWake = wake;
        }
        toWake.run();
    }

    /** Hands the latched doorbells to the engine and forgets them. */
    synchronized Rung take() {
        Rung rung = new Rung(sqs, rqs, cqArms, eqs, eqConsumer.clone());
        sqs = 0;
        rqs = 0;
        cqArms = 0;
        eqs = 0;
        return rung;
    }

    /** Whether any doorbell is latched and not yet taken. */
    public synchronized boolean anyRung() {
        return (sqs | rqs | cqArms | eqs) != 0;
    }

    private static long bit(int queue, String kind) {
        if (queue < 0 || queue >= LATCHES) {
            LOG.debug("{} doorbell for queue {}: no such queue can exist; ignored", kind, Integer.toUnsignedString(queue));
            return 0;
        }
        return 1L << queue;
    }
}
