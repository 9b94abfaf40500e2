package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DmaTransfer;
import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.simulator.dma.DmaFaultException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DMA to memory the client mapped without an fd: each access becomes DMA_READ / DMA_WRITE
 * requests to the client, cut to its max_data_xfer_size. A device thread sends and waits; the
 * session's reader thread, which owns the socket's receive side, hands each reply over through
 * {@link #replyArrived}. The reader never waits on a DMA reply itself, so a client that issues
 * commands while the device is doing DMA cannot deadlock the server.
 */
final class MessageDma {
    private static final Logger LOG = LoggerFactory.getLogger(MessageDma.class);
    /** As long as QEMU waits for any reply by default (x-msg-timeout). */
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);

    private final MessageSocket socket;
    private final int chunk;
    private final ByteBuffer header = ByteBuffer.allocateDirect(MessageHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer body;
    private final int[] noFds = new int[0];

    // the one request in flight (device DMA through messages is serialized by the send lock below)
    private final Object replyLock = new Object();
    private int awaitedId = -1;
    private ByteBuffer readTarget;
    private boolean answered;
    private int answerErrno;
    private String answerProblem;
    private boolean closed;
    private int nextId;
    private long messages;

    MessageDma(MessageSocket socket, int chunk) {
        this.socket = socket;
        this.chunk = chunk;
        this.body = ByteBuffer.allocateDirect(DmaTransfer.SIZE + chunk).order(ByteOrder.LITTLE_ENDIAN);
    }

    synchronized void read(long iova, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            int n = Math.min(chunk, dst.remaining());
            ByteBuffer part = dst.slice(dst.position(), n).order(ByteOrder.LITTLE_ENDIAN);
            body.clear();
            DmaTransfer.write(body, iova, n);
            body.flip();
            exchange(Command.DMA_READ, iova, n, part, false);
            dst.position(dst.position() + n);
            iova += n;
        }
    }

    synchronized void write(long iova, ByteBuffer src) {
        while (src.hasRemaining()) {
            int n = Math.min(chunk, src.remaining());
            body.clear();
            DmaTransfer.write(body, iova, n);
            ByteBuffer part = src.slice(src.position(), n);
            body.put(part).flip();
            exchange(Command.DMA_WRITE, iova, n, null, true);
            src.position(src.position() + n);
            iova += n;
        }
    }

    private void exchange(Command command, long iova, int n, ByteBuffer readInto, boolean write) {
        int id;
        synchronized (replyLock) {
            if (closed) {
                throw new DmaFaultException(iova, n, write, "the client is gone");
            }
            id = nextId++ & 0xFFFF;
            awaitedId = id;
            readTarget = readInto;
            answered = false;
            answerProblem = null;
        }
        try {
            MessageHeader.write(header, id, command.code(), MessageHeader.SIZE + body.remaining(), MessageHeader.TYPE_COMMAND, 0);
            socket.send(header, body, noFds, 0);
            messages++;
        } catch (IOException e) {
            throw new DmaFaultException(iova, n, write, "sending " + command + " failed: " + e.getMessage());
        }
        synchronized (replyLock) {
            long deadline = System.nanoTime() + REPLY_TIMEOUT.toNanos();
            while (!answered && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    awaitedId = -1;
                    throw new DmaFaultException(iova, n, write, "client did not answer " + command + " within " + REPLY_TIMEOUT);
                }
                try {
                    replyLock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DmaFaultException(iova, n, write, "interrupted waiting for the client");
                }
            }
            awaitedId = -1;
            if (!answered) {
                throw new DmaFaultException(iova, n, write, "the client went away during " + command);
            }
            if (answerErrno != 0 || answerProblem != null) {
                throw new DmaFaultException(iova, n, write, answerProblem != null ? answerProblem
                        : "client answered " + command + " with errno " + answerErrno);
            }
        }
    }

    /**
     * Called by the session's reader for every reply it receives; {@code payload} is the reply's
     * payload (position to limit). Returns false when no request of ours was waiting for it.
     */
    boolean replyArrived(int msgId, int command, int errorNo, boolean error, ByteBuffer payload) {
        synchronized (replyLock) {
            if (msgId != awaitedId) {
                return false;
            }
            answerErrno = error ? Math.max(1, errorNo) : 0;
            if (!error && command == Command.DMA_READ.code()) {
                int want = readTarget.remaining();
                if (payload.remaining() != DmaTransfer.SIZE + want || DmaTransfer.count(payload) != want) {
                    answerProblem = "DMA_READ reply carries " + (payload.remaining() - DmaTransfer.SIZE) + " bytes, asked "
                            + want;
                } else {
                    readTarget.put(payload.duplicate().position(payload.position() + DmaTransfer.SIZE));
                }
            } else if (!error && command != Command.DMA_WRITE.code()) {
                answerProblem = "reply to a DMA request names command " + command;
            }
            answered = true;
            replyLock.notifyAll();
            return true;
        }
    }

    /** The client is gone: fail whatever waits. */
    void close() {
        synchronized (replyLock) {
            closed = true;
            replyLock.notifyAll();
        }
        LOG.debug("message DMA closed after {} requests", messages);
    }

    long messages() {
        return messages;
    }
}
