package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DmaTransfer;
import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.server.transport.SendTimeoutException;
import dev.vfiosim.simulator.DeviceThreads;
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
    /**
     * While a command waits for the device to stop or reset, a DMA reply the client has not sent
     * within this long fails the access instead: the stop or reset must finish within a second
     * whatever the client does (docs/connection.md).
     */
    static final Duration HURRIED_REPLY_TIMEOUT = Duration.ofMillis(500);

    private final MessageSocket socket;
    private final DmaTransfer layout;
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
    /** System.nanoTime() by which any reply must be in while a stop or reset waits; 0 when none does. */
    private long hurryDeadline;
    private int nextId;
    private long messages;
    private final MessageObserver observer;

    /** {@code observer} (trace, metrics) sees each request sent; {@code null} for none. */
    MessageDma(MessageSocket socket, int chunk, DmaTransfer layout, MessageObserver observer) {
        this.observer = observer;
        this.socket = socket;
        this.layout = layout;
        this.chunk = (int) Math.min(chunk, layout.maxCount());
        this.body = ByteBuffer.allocateDirect(layout.size() + this.chunk).order(ByteOrder.LITTLE_ENDIAN);
    }

    DmaTransfer layout() {
        return layout;
    }

    /**
     * A command is about to wait for the device (stop, reset, quiesce): from now on a reply must
     * come within {@link #HURRIED_REPLY_TIMEOUT}, so that the device's in-flight unit of work ends
     * promptly even with a client that never answers. {@link #unhurry()} when the command is done.
     */
    void hurry() {
        synchronized (replyLock) {
            hurryDeadline = System.nanoTime() + HURRIED_REPLY_TIMEOUT.toNanos();
            if (hurryDeadline == 0) {
                hurryDeadline = 1;
            }
            replyLock.notifyAll();
        }
    }

    void unhurry() {
        synchronized (replyLock) {
            hurryDeadline = 0;
        }
    }

    synchronized void read(long iova, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            int n = Math.min(chunk, dst.remaining());
            ByteBuffer part = dst.slice(dst.position(), n).order(ByteOrder.LITTLE_ENDIAN);
            body.clear();
            layout.write(body, iova, n);
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
            layout.write(body, iova, n);
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
            if (observer != null) {
                observer.serverRequest(header, body, layout);
            }
            socket.send(header, body, noFds, 0);
            messages++;
        } catch (IOException e) {
            if (e instanceof SendTimeoutException) {
                socket.shutdown();   // part of the request may be on the stream: the framing is lost, end the session
            }
            throw new DmaFaultException(iova, n, write, "sending " + command + " failed: " + e.getMessage());
        }
        synchronized (replyLock) {
            long deadline = System.nanoTime() + REPLY_TIMEOUT.toNanos();
            while (!answered && !closed) {
                long now = System.nanoTime();
                boolean hurried = hurryDeadline != 0 && hurryDeadline - deadline < 0;
                long left = (hurried ? hurryDeadline : deadline) - now;
                if (left <= 0) {
                    awaitedId = -1;
                    throw new DmaFaultException(iova, n, write, hurried
                            ? "client did not answer " + command + " while the device was being stopped or reset"
                            : "client did not answer " + command + " within " + REPLY_TIMEOUT);
                }
                try {
                    // a device thread waits for its client: a spare one serves the other devices meanwhile
                    DeviceThreads.block(() -> replyLock.wait(Math.max(1, left / 1_000_000)));
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
                if (payload.remaining() != layout.size() + want || layout.count(payload) != want) {
                    answerProblem = "DMA_READ reply carries " + (payload.remaining() - layout.size()) + " bytes, asked "
                            + want + " (" + layout + " layout)";
                } else {
                    readTarget.put(payload.duplicate().position(payload.position() + layout.size()));
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
