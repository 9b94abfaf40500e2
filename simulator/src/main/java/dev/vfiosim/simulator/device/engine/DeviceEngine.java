package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.DeviceThreads;
import dev.vfiosim.simulator.device.InitializationSegment;
import dev.vfiosim.simulator.dma.Dma;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's own work: it executes rung commands and services rung queues, asynchronously from
 * MMIO, the way hardware does. It runs as passes on the process's shared {@link DeviceThreads}:
 * a doorbell schedules one pass (at most one is scheduled or running per engine at any time, so
 * the engine is single-threaded as before, though not always on the same thread), and an engine
 * with nothing rung costs no thread. Rules (docs/device.md, "The engine"):
 * <ul>
 *   <li>An MMIO write (command doorbell, queue doorbell) only latches the doorbell and wakes the
 *       engine; it never touches guest memory, queue contexts or interrupts, and never waits.
 *   <li>Only the engine thread touches guest memory (through {@link Dma}), the queue contexts and
 *       the command interface state, and raises completion interrupts.
 *   <li>Other threads reach that state only while the engine is held ({@link #pause()},
 *       {@link #state()}, {@link #restore}, {@link #reset()}): a hold returns once the engine has
 *       finished its current unit of work (one command, one WQE) and keeps it from starting another.
 *       Doorbells rung meanwhile stay latched and are processed after the last hold is released.
 * </ul>
 */
public final class DeviceEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceEngine.class);
    private static final long NO_QUEUES = 0;

    private final InitializationSegment initSegment;
    private final DoorbellPage doorbells;
    private final QueueContexts queues;
    private final CommandInterface commands;
    private final Loopback loopback;
    private final ActivityGate gate = new ActivityGate();
    /**
     * A pass gives its worker back after about this long (work stays pending and the pass is
     * scheduled again behind the other devices'), so a device flooded with WQEs shares the pool.
     */
    private static final long SLICE_NANOS = 2_000_000;
    private static final long CLOSE_WAIT_NANOS = Duration.ofSeconds(5).toNanos();

    private final String name;
    private final DeviceThreads threads;
    private final AtomicBoolean workPending = new AtomicBoolean();
    /** A pass is scheduled or running: the one-pass-at-a-time rule. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Set by the pass (engine side) for its slice; read only by the pass's own stop check. */
    private long sliceEnd;
    private boolean pausedByDevice;
    /** Engine thread (or a holder): SQs rung and not yet fully serviced, SQs waiting for CQ room. */
    private long pendingSqs;
    private long stalledSqs;

    /**
     * @param dma the device's current DMA port (it changes when a client connects or leaves)
     * @param fire raises an MSI-X vector (the interrupt controller routes and masks it)
     * @param timestamp the device's running time in ns, for CQE timestamps
     */
    public DeviceEngine(String name, InitializationSegment initSegment, DoorbellPage doorbells, Supplier<Dma> dma,
            IntConsumer fire, HcaCapabilities caps, LongSupplier timestamp) {
        this.initSegment = initSegment;
        this.doorbells = doorbells;
        DeviceDma deviceDma = new DeviceDma(dma);
        this.queues = new QueueContexts(caps);
        this.commands = new CommandInterface(initSegment, queues, deviceDma, fire, caps);
        this.loopback = new Loopback(queues, deviceDma, fire, timestamp);
        this.name = name;
        this.threads = DeviceThreads.shared();
        // work latched while held waits for the last release, then runs
        gate.onReleased(this::schedule);
        initSegment.onCommandDoorbell(this::wake);
        doorbells.onRing(this::wake);
    }

    /** A doorbell was latched: the engine looks at it soon. Never blocks. */
    public void wake() {
        workPending.set(true);
        schedule();
    }

    private void schedule() {
        if (workPending.get() && scheduled.compareAndSet(false, true)) {
            threads.execute(this::run);
        }
    }

    /** One pass on a device thread; a held engine leaves its work pending for {@link ActivityGate#onReleased}. */
    private void run() {
        try {
            if (!gate.tryEnter()) {
                return;
            }
            try {
                workPending.set(false);
                sliceEnd = System.nanoTime() + SLICE_NANOS;
                pass();
            } catch (RuntimeException | Error e) {
                // a bug, not a guest's doing (guest errors become statuses and CQEs): keep serving;
                // the finally releases the gate, so no hold and no teardown waits on a dead pass
                LOG.error("{}: engine pass failed", name, e);
            } finally {
                gate.exit();
            }
        } finally {
            scheduled.set(false);
            // a doorbell rung while this pass ran (its schedule() found it scheduled), or a slice
            // that ran out: run again, unless held (the release schedules) or closed
            if (workPending.get() && !gate.heldOrClosed()) {
                schedule();
            }
        }
    }

    /** Stop check between WQEs: a hold is waiting, or the pass has had its slice. */
    private boolean yieldRequested() {
        return gate.holdRequested() || System.nanoTime() - sliceEnd > 0;
    }

    /** One pass over everything latched; stops early (work stays pending) when a hold is requested. */
    private void pass() {
        int slots = initSegment.takeRungCommands();
        for (int slot = 0; slot < CommandInterface.SLOTS; slot++) {
            if ((slots & 1 << slot) == 0) {
                continue;
            }
            if (gate.holdRequested()) {
                initSegment.write(InitializationSegment.CMD_DOORBELL, slots & -(1 << slot));
                return;
            }
            commands.execute(slot);
        }
        DoorbellPage.Rung rung = doorbells.take();
        for (long eqs = rung.eqs(); eqs != 0; eqs &= eqs - 1) {
            int n = Long.numberOfTrailingZeros(eqs);
            EventQueue eq = queues.eq(n);
            if (eq != null) {
                eq.consumerReported(rung.eqConsumer()[n], (rung.eqArms() >>> n & 1) != 0);
            }
        }
        for (long cqs = rung.cqArms(); cqs != 0; cqs &= cqs - 1) {
            loopback.arm(Long.numberOfTrailingZeros(cqs));
        }
        if (rung.cqArms() != 0) {
            // consumed CQEs may have made room for an SQ that was waiting
            pendingSqs |= stalledSqs;
            stalledSqs = NO_QUEUES;
        }
        pendingSqs |= rung.sqs();
        while (pendingSqs != 0) {
            long bit = Long.lowestOneBit(pendingSqs);
            SendQueue sq = queues.sq(Long.numberOfTrailingZeros(bit));
            Loopback.Progress progress = sq == null ? Loopback.Progress.DONE : loopback.service(sq, this::yieldRequested);
            if (progress == Loopback.Progress.STOPPED) {
                workPending.set(true);
                return;
            }
            pendingSqs &= ~bit;
            if (progress == Loopback.Progress.STALLED) {
                stalledSqs |= bit;
            }
        }
    }

    /**
     * Stops the engine (idempotent): returns once in-flight work is finished; from then on no DMA,
     * no interrupt, until {@link #resume()}. Doorbells rung meanwhile are remembered.
     */
    public synchronized void pause() {
        if (!pausedByDevice) {
            pausedByDevice = true;
            gate.hold();
        }
    }

    public synchronized void resume() {
        if (pausedByDevice) {
            pausedByDevice = false;
            gate.release();
        }
    }

    public synchronized boolean paused() {
        return pausedByDevice;
    }

    /** True when nothing is in progress and nothing latched is waiting (paused with rung doorbells is not idle). */
    public boolean idle() {
        return gate.awaitOutside(this::nothingPending, 0);
    }

    /** Waits up to {@code timeout} for {@link #idle()}; returns whether it got there. */
    public boolean awaitIdle(Duration timeout) {
        return gate.awaitOutside(this::nothingPending, timeout.toNanos());
    }

    private boolean nothingPending() {
        return !workPending.get() && initSegment.rungCommands() == 0 && !doorbells.anyRung();
    }

    /** The engine's state, taken between two units of work (the engine is held for the copy). */
    public EngineState state() {
        gate.hold();
        try {
            return new EngineState(commands.state(), queues.eqStates(), queues.cqStates(), queues.sqStates(), queues.rqStates());
        } finally {
            gate.release();
        }
    }

    /**
     * Replaces the engine's state with {@code state} (a migration destination). Only while paused;
     * afterwards every SQ counts as rung, so work posted before the snapshot continues on resume.
     */
    public synchronized void restore(EngineState state) {
        if (!pausedByDevice) {
            throw new IllegalStateException("engine state can only be restored while the device is paused");
        }
        commands.restore(state.commands());
        queues.restore(state);
        stalledSqs = NO_QUEUES;
        pendingSqs = NO_QUEUES;
        state.sendQueues().forEach(sq -> pendingSqs |= 1L << sq.number());
        wake();
    }

    /**
     * Function reset: every queue destroyed, the HCA disabled, latched doorbells forgotten, and the
     * engine running again (a paused engine is resumed, as the device clock is).
     */
    public synchronized void reset() {
        gate.hold();
        try {
            queues.clear();
            commands.reset();
            initSegment.takeRungCommands();
            doorbells.take();
            pendingSqs = NO_QUEUES;
            stalledSqs = NO_QUEUES;
            workPending.set(false);
        } finally {
            gate.release();
        }
        resume();
    }

    /** The HCA life-cycle state (for tests and logs; taken under a hold). */
    public HcaState hcaState() {
        return state().commands().hca();
    }

    /** No pass starts after this; returns once the pass in progress (if any) has ended, within 5 s. */
    @Override
    public void close() {
        if (!gate.closeAndAwaitOutside(CLOSE_WAIT_NANOS)) {
            LOG.warn("{}: a pass was still running 5 s after close; left to finish on its own", name);
        }
    }
}
