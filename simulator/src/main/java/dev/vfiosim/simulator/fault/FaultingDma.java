package dev.vfiosim.simulator.fault;

import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaFaultException;
import dev.vfiosim.simulator.fault.FaultAction.Delay;
import dev.vfiosim.simulator.fault.FaultAction.DmaError;
import dev.vfiosim.simulator.fault.FaultAction.ReplyErrno;
import dev.vfiosim.simulator.fault.FaultEvent.DmaEvent;
import dev.vfiosim.simulator.fault.FaultSite.DmaKind;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A device's DMA port with the plan's {@code dma} read and write faults in front of it: a
 * {@code dmaError} (or a {@code replyErrno}, which a device's own DMA has no reply to carry) fails
 * the access as the IOMMU would, touching nothing; a {@code delay} holds it back first. It follows
 * whichever {@link Dma} is connected behind it (the attached client's mappings). Costs one volatile
 * read per access when no plan is active.
 */
public final class FaultingDma implements Dma {
    private volatile Dma target = Dma.NONE;
    private volatile FaultInjector faults = FaultInjector.NONE;
    private final Dma viaMessages = new Dma() {
        @Override
        public void read(long iova, ByteBuffer dst) {
            FaultInjector f = faults;
            if (f.active()) {
                inject(f, DmaKind.READ, iova, dst.remaining());
            }
            target.viaMessages().read(iova, dst);
        }

        @Override
        public void write(long iova, ByteBuffer src) {
            FaultInjector f = faults;
            if (f.active()) {
                inject(f, DmaKind.WRITE, iova, src.remaining());
            }
            target.viaMessages().write(iova, src);
        }
    };

    /** Where accesses go from now on ({@link Dma#NONE} when no client is attached). */
    public void connect(Dma dma) {
        this.target = dma == null ? Dma.NONE : dma;
    }

    /** Misbehave as {@code injector}'s plan says; {@link FaultInjector#NONE} to behave. */
    public void use(FaultInjector injector) {
        this.faults = injector;
    }

    @Override
    public void read(long iova, ByteBuffer dst) {
        FaultInjector f = faults;
        if (f.active()) {
            inject(f, DmaKind.READ, iova, dst.remaining());
        }
        target.read(iova, dst);
    }

    @Override
    public void write(long iova, ByteBuffer src) {
        FaultInjector f = faults;
        if (f.active()) {
            inject(f, DmaKind.WRITE, iova, src.remaining());
        }
        target.write(iova, src);
    }

    /** The connected port's message-based access ({@link Dma#viaMessages}), with the same faults in front. */
    @Override
    public Dma viaMessages() {
        return viaMessages;
    }

    private static void inject(FaultInjector f, DmaKind kind, long iova, long length) {
        Optional<FiredFault> fired = f.check(new DmaEvent(kind, iova, length));
        if (fired.isEmpty()) {
            return;
        }
        FaultAction action = fired.get().action();
        String why = "injected by fault rule " + fired.get().ruleId();
        if (action instanceof DmaError) {
            throw new DmaFaultException(iova, length, kind == DmaKind.WRITE, why);
        } else if (action instanceof ReplyErrno r) {
            throw new DmaFaultException(iova, length, kind == DmaKind.WRITE, why + " (" + r.errno() + ")");
        } else if (action instanceof Delay d) {
            d.hold();
        }
    }
}
