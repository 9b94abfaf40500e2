package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.DmaTransfer;
import java.nio.ByteBuffer;

/**
 * Sees every message of a session as it passes: the trace ({@code serve --trace}) and the metrics
 * are observers. A session without one checks a single null field per message and allocates
 * nothing, so the register hot path costs the same as before.
 *
 * <p>Every buffer is lent for the duration of the call: an observer reads it with absolute gets (or
 * a duplicate), never moves its position, and keeps nothing. Calls come from the session's reader
 * or its worker thread, one message at a time per session.
 */
public interface MessageObserver {
    /** A command from the client, before it is handled; {@code payload} is what follows the header. */
    void command(ByteBuffer header, ByteBuffer payload, int fdCount);

    /**
     * The reply sent for a command: {@code header} is the reply's (its error flag and errno say how
     * it went), {@code body} its payload or {@code null}; {@code serviceNanos} from arrival to send.
     * A MIG_DATA_READ reply whose pages went out straight from the device's memory has only its
     * MigrationData header and the bytes written inline in {@code body} (its size is in the header).
     */
    void reply(ByteBuffer header, ByteBuffer body, int fdCount, long serviceNanos);

    /** A command that asked for no reply is done; {@code errno} 0 if it succeeded. */
    void noReply(ByteBuffer commandHeader, int errno, long serviceNanos);

    /** A reply from the client to one of the server's own requests (DMA_READ / DMA_WRITE). */
    void clientReply(ByteBuffer header, ByteBuffer payload, int fdCount);

    /**
     * A request the server sends the client for the device's DMA (DMA_READ / DMA_WRITE without a
     * mapped fd): {@code layout} says where its address and count sit.
     */
    default void serverRequest(ByteBuffer header, ByteBuffer body, DmaTransfer layout) {
    }

    /** An interrupt the device raised: delivered to an eventfd, or lost because none was wired. */
    default void interrupt(String type, int vector, boolean delivered) {
    }

    /** An interrupt the device raised while its vector was masked or the device stopped: held pending. */
    default void interruptHeld(String type, int vector) {
    }

    /**
     * A DMA access of the device that failed: outside every mapping, without the permission, into a
     * file the client shrank, refused by the client or by a fault rule. The device sees the fault
     * as the IOMMU would report it; this call only tells.
     */
    default void dmaFault(long iova, long length, boolean write, String why) {
    }
}
