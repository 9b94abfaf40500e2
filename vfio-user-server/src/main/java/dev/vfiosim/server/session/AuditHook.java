package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.irq.IrqType;
import java.nio.ByteBuffer;

/**
 * The referee of the migration contract ({@code serve --audit}, docs/audit.md) as a session sees
 * it: the VMM's commands before and after they are handled, the interrupts the device raised and
 * the guest memory it wrote. A session without one pays a null check per message. Buffers are lent
 * for the call, as to a {@link MessageObserver}; calls come one command at a time per session.
 */
public interface AuditHook {
    /** What the audit may consult of the session it watches. */
    interface SessionFacts {
        /** Whether every byte of [iova, iova+length) is inside the client's DMA mappings. */
        boolean mapped(long iova, long length);

        /** How many commands the session has handled so far (the finding's message number). */
        long messagesHandled();
    }

    /** A client attached; {@code facts} stays valid until {@link #detached}. */
    void attached(SessionFacts facts);

    /**
     * Before {@code command} is handled; {@code payload} follows the header. Throws a
     * {@link dev.vfiosim.simulator.DeviceException} to refuse it (strict mode), and may itself take
     * the device along the path the request asked for (a refusal then leaves it part-way, as the
     * uAPI allows for a failed SET).
     */
    void beforeCommand(Command command, int msgId, ByteBuffer payload, int fdCount);

    /** After {@code command} was handled: {@code errno} 0 if it succeeded; {@code reply} is its payload. */
    void afterCommand(Command command, int msgId, ByteBuffer payload, ByteBuffer reply, int errno);

    /** The device raised an interrupt; {@code delivered} false if no eventfd was wired to it. */
    void interrupt(IrqType type, int vector, boolean delivered);

    /** The port the device's DMA goes through while this session is attached: {@code dma}, watched. */
    Dma watch(Dma dma);

    /** The client is gone ({@code why} as the session logs it). */
    void detached(String why);
}
