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
 * </pre>
 * EQ doorbells are mlx5's, in the UAR pages ({@link UarPages}); they latch here too. A doorbell
 * naming a queue number the device can never have is what hardware ignores: counted, logged
 * (rate-limited), never an error of the region write.
 */
public final class DoorbellPage implements DwordRegisterBlock {
    public static final int SQ_DOORBELL = 0x000;
    public static final int RQ_DOORBELL = 0x004;
    public static final int CQ_DOORBELL = 0x008;
    private static final int LATCHES = Long.SIZE;
    private static final Logger LOG = LoggerFactory.getLogger(DoorbellPage.class);

    /** What was rung since the last {@link #take()}: bit n = queue n; {@code eqConsumer[n]} valid where bit n of {@code eqs}. */
    record Rung(long sqs, long rqs, long cqArms, long eqs, int[] eqConsumer, long eqArms) {
    }

    private Runnable wake = () -> { };
    private long sqs;
    private long rqs;
    private long cqArms;
    private long eqs;
    private final int[] eqConsumer = new int[LATCHES];
    private long armed;
    private long ignored;

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
                default -> {
                    return;
                }
            }
            toWake = wake;
        }
        toWake.run();
    }

    /** An EQ doorbell from a UAR page: the driver consumed up to {@code consumer} (low 24 bits). */
    void eqDoorbell(int eq, int consumer, boolean arm) {
        Runnable toWake;
        synchronized (this) {
            long b = bit(eq, "EQ");
            if (b == 0) {
                return;
            }
            eqs |= b;
            eqConsumer[eq] = consumer;
            if (arm) {
                armed |= b;
            }
            toWake = wake;
        }
        toWake.run();
    }

    /** Hands the latched doorbells to the engine and forgets them. */
    synchronized Rung take() {
        Rung rung = new Rung(sqs, rqs, cqArms, eqs, eqConsumer.clone(), armed);
        sqs = 0;
        rqs = 0;
        cqArms = 0;
        eqs = 0;
        armed = 0;
        return rung;
    }

    /** Doorbells for queue numbers no queue can have, ignored since creation. */
    public synchronized long ignored() {
        return ignored;
    }

    /** Whether any doorbell is latched and not yet taken. */
    public synchronized boolean anyRung() {
        return (sqs | rqs | cqArms | eqs) != 0;
    }

    /** Caller holds the lock. */
    private long bit(int queue, String kind) {
        if (queue < 0 || queue >= LATCHES) {
            ignored++;
            // a guest can ring this as fast as it likes: log the 1st, 2nd, 4th, 8th... only
            if (Long.bitCount(ignored) == 1) {
                LOG.warn("{} doorbell for queue {}: no such queue can exist; ignored ({} such doorbells so far)", kind,
                        Integer.toUnsignedString(queue), ignored);
            }
            return 0;
        }
        return 1L << queue;
    }
}
