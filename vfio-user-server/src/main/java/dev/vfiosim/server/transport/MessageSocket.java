package dev.vfiosim.server.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected AF_UNIX stream socket carrying messages and SCM_RIGHTS fds. All data moves with
 * recvmsg/sendmsg on the raw fd straight into or out of direct buffers: jnr's channel I/O copies
 * through a fresh heap buffer on every call and cannot carry fds.
 *
 * <p>Every receive goes through recvmsg with a control buffer, because fds ride on the first byte of
 * the sender's message and a plain read() would silently drop them.
 *
 * <p>Receives read ahead: a receive of less than {@link #READ_AHEAD_BYTES} asks the kernel for up to that
 * much into native scratch and later receives are served from there, so a small message (header and
 * payload) costs one recvmsg, as a C server's would, not one per field. A receive that could not be
 * served from scratch and is that large or larger goes straight into the caller's buffer, for exactly
 * what it still needs. Fds stay with the byte they rode on as far as the kernel tells: it ends a
 * recvmsg with the segment whose fds it hands over, so fds that came with a read-ahead belong to its
 * last byte, and are handed to the receive that consumes that byte.
 *
 * <p>Threads: one receiving thread and any number of sending threads may use the socket at once.
 * Each direction has its own native scratch and its own lock; the send lock also keeps concurrent
 * messages from interleaving. {@link #close()} first shuts the socket down, which wakes blocked calls,
 * then takes both locks before freeing the scratch, so no call can touch freed memory or a recycled fd.
 * Receive and send allocate nothing per message (exceptions aside).
 */
public final class MessageSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MessageSocket.class);

    /** SCM_MAX_FD: the kernel refuses more fds in one message. */
    static final int MAX_FDS_PER_MESSAGE = 253;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /** Heap buffers are sent through this much direct staging per sendmsg. */
    private static final int STAGING_BYTES = 64 * 1024;
    /** Receives smaller than this read ahead into native scratch; a small message is one recvmsg. */
    static final int READ_AHEAD_BYTES = 8 * 1024;

    private final int fd;
    private final int maxFds;
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private final MsgHdr rx;
    private final MsgHdr tx;
    private final NativeBlock staging;
    // read-ahead: bytes [aheadStart, aheadEnd) of `ahead` are received but not yet consumed, and
    // aheadFds came with the last of them (receiving thread only, under receiveLock)
    private final NativeBlock ahead;
    private final ReceivedFds aheadFds;
    private int aheadStart;
    private int aheadEnd;
    // send bound (0: none): how long a message may find the peer's queue full; the clock is read
    // only once a send would block, from then on for the rest of that message (under sendLock)
    private volatile long sendTimeoutNanos;
    private boolean sendBlocked;
    private long sendBlockedSince;
    /** For gathered sends, made on the first one (most connections never send one). */
    private IoVector gather;
    private volatile boolean closed;
    private boolean shutDown;

    /** Takes ownership of {@code fd}, a connected AF_UNIX stream socket; up to {@code maxFds} per receive. */
    public MessageSocket(int fd, int maxFds) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd);
        }
        if (maxFds < 0 || maxFds > MAX_FDS_PER_MESSAGE) {
            throw new IllegalArgumentException("maxFds " + maxFds + " not in 0.." + MAX_FDS_PER_MESSAGE);
        }
        this.fd = fd;
        this.maxFds = maxFds;
        this.rx = new MsgHdr(maxFds);
        this.tx = new MsgHdr(MAX_FDS_PER_MESSAGE);
        this.staging = new NativeBlock(STAGING_BYTES);
        this.ahead = new NativeBlock(READ_AHEAD_BYTES);
        this.aheadFds = new ReceivedFds(maxFds);
    }

    /** Client side: connects to a listening socket at {@code path}. */
    public static MessageSocket connect(Path path, int maxFds) throws IOException {
        UnixSocketPath address = UnixSocketPath.of(path);
        int fd = UnixSocket.open(0);
        int errno = UnixSocket.connect(fd, address);
        if (errno != 0) {
            FileDescriptors.close(fd);
            throw new TransportException("cannot connect to " + path, errno);
        }
        return new MessageSocket(fd, maxFds);
    }

    /** Two connected sockets (socketpair), both close-on-exec. */
    public static MessageSocket[] pair(int maxFds) throws IOException {
        int[] sv = new int[2];
        if (Native.libc().socketpair(UnixSocket.AF_UNIX, UnixSocket.SOCK_STREAM | UnixSocket.SOCK_CLOEXEC,
                0, sv) != 0) {
            throw new TransportException("socketpair failed", Native.lastErrno());
        }
        return new MessageSocket[] {new MessageSocket(sv[0], maxFds), new MessageSocket(sv[1], maxFds)};
    }

    public int fd() {
        return fd;
    }

    public int maxFds() {
        return maxFds;
    }

    /**
     * Fills {@code dst} from its position to its limit, looping over short reads and EINTR, and advances
     * its position. Fds arriving on any of those reads go to {@code fds}; if they do not fit or the kernel
     * truncated them, {@code fds.truncated()} becomes true and the ones that fit stay there for the caller
     * to close. With {@code fds == null} arriving fds are closed and logged.
     *
     * @return false if the peer closed (or this socket was shut down) before the first byte
     * @throws PeerClosedException if the stream ended part way through {@code dst}, or ECONNRESET
     * @throws ReceiveTimeoutException if the receive timeout expired
     */
    public boolean receive(ByteBuffer dst, ReceivedFds fds) throws IOException {
        return receive(dst, fds, null);
    }

    /**
     * Like {@link #receive(ByteBuffer, ReceivedFds)}, but bounded by {@code deadline} (may be null):
     * waiting for the first byte of a message is unbounded, but once {@code deadline} has started
     * (the message's first byte arrived, in this call or an earlier one for the same message) the
     * rest must arrive before it ends. Data already queued costs no extra system call: only a receive
     * that would block waits in poll(2), which {@link #shutdown()} also ends.
     *
     * @throws ReceiveTimeoutException if the message did not complete in time
     */
    public boolean receive(ByteBuffer dst, ReceivedFds fds, MessageDeadline deadline) throws IOException {
        if (!dst.isDirect()) {
            throw new IllegalArgumentException("receive needs a direct ByteBuffer");
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("receive into a read-only buffer");
        }
        receiveLock.lock();
        try {
            ensureOpen();
            final int start = dst.position();
            final int limit = dst.limit();
            final long base = NativeBlock.addressOf(dst);
            int pos = start;
            while (pos < limit) {
                if (aheadStart < aheadEnd) {
                    int n = Math.min(aheadEnd - aheadStart, limit - pos);
                    NativeBlock.copy(ahead.address + aheadStart, base + pos, n);
                    aheadStart += n;
                    pos += n;
                    if (aheadStart == aheadEnd) {
                        aheadStart = 0;
                        aheadEnd = 0;
                        handOverAheadFds(fds);
                    }
                    if (deadline != null) {
                        deadline.start();
                    }
                    continue;
                }
                boolean readAhead = limit - pos < READ_AHEAD_BYTES;
                if (readAhead) {
                    rx.iov(0, ahead.address, READ_AHEAD_BYTES);
                } else {
                    rx.iov(0, base + pos, limit - pos);
                }
                rx.prepare(1, rx.controlCapacity);
                boolean bounded = deadline != null && deadline.started();
                long n = Native.libc().recvmsg(fd, rx.pointer(), MSG_CMSG_CLOEXEC | (bounded ? MSG_DONTWAIT : 0));
                if (n < 0) {
                    int errno = Native.lastErrno();
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    if (bounded && errno == Errno.EAGAIN) {
                        awaitRestOfMessage(deadline, pos - start, limit - start);
                        continue;
                    }
                    dst.position(pos);
                    throw receiveFailure(errno, pos - start, limit - start);
                }
                if (readAhead) {
                    collectFds(aheadFds);
                    aheadEnd = (int) n;
                    if (n == 0) {
                        handOverAheadFds(fds);
                    }
                } else {
                    collectFds(fds);
                }
                if (n == 0) {
                    dst.position(pos);
                    if (pos == start) {
                        return false;
                    }
                    throw new PeerClosedException("peer closed fd " + fd + " after " + (pos - start) + " of "
                            + (limit - start) + " bytes");
                }
                if (!readAhead) {
                    pos += (int) n;
                    if (deadline != null) {
                        deadline.start();
                    }
                }
            }
            dst.position(pos);
            return true;
        } finally {
            receiveLock.unlock();
        }
    }

    /** The fds that came with the read-ahead's last byte go to the receive that consumed it. */
    private void handOverAheadFds(ReceivedFds fds) {
        int count = aheadFds.count();
        if (count == 0 && !aheadFds.truncated()) {
            return;
        }
        for (int i = 0; i < count; i++) {
            int received = aheadFds.take(i);
            if (fds != null) {
                fds.offer(received);
            } else {
                LOG.warn("fd {}: closing unexpected fd {} that came with data", fd, received);
                FileDescriptors.close(received);
            }
        }
        if (aheadFds.truncated() && fds != null) {
            fds.markTruncated();
        }
        aheadFds.closeAll();
    }

    /** Waits in poll(2) for more of a started message; throws once its deadline has passed. */
    private void awaitRestOfMessage(MessageDeadline deadline, int got, int wanted) throws IOException {
        long left = deadline.remainingNanos();
        if (left <= 0 || !FdReadiness.awaitReadable(fd, left)) {
            throw new ReceiveTimeoutException("message incomplete after " + deadline.timeout().toMillis()
                    + " ms: recvmsg on fd " + fd + " had " + got + " of " + wanted + " bytes", Errno.EAGAIN);
        }
    }

    /**
     * Whether the peer has hung up (closed or shut down its side): poll(2) with POLLRDHUP and no
     * wait. Data still queued from before the hang-up does not hide it. A socket this side has shut
     * down or closed counts as hung up.
     */
    public boolean peerHungUp() throws IOException {
        synchronized (stateLock) {   // close() cannot free the fd number meanwhile
            return closed || shutDown || FdReadiness.hungUp(fd);
        }
    }

    private TransportException receiveFailure(int errno, int got, int wanted) {
        String what = "recvmsg on fd " + fd + " after " + got + " of " + wanted + " bytes";
        if (errno == Errno.EAGAIN) {
            return new ReceiveTimeoutException("receive timed out: " + what, errno);
        }
        if (errno == Errno.ECONNRESET) {
            return new PeerClosedException("peer reset the connection: " + what, errno);
        }
        return new TransportException(what + " failed", errno);
    }

    /** Walks every cmsg the kernel filled; SCM_RIGHTS fds are stored or closed, never left open unseen. */
    private void collectFds(ReceivedFds fds) {
        if ((rx.flags() & MSG_CTRUNC) != 0) {   // a bit test: msg_flags also echoes MSG_CMSG_CLOEXEC
            LOG.warn("fd {}: control data truncated (MSG_CTRUNC): the peer sent more fds than the {} allowed",
                    fd, maxFds);
            if (fds != null) {
                fds.markTruncated();
            }
        }
        long used = rx.controlUsed();
        int offset = 0;
        while (offset + MsgHdr.CMSG_HEADER <= used) {
            long length = rx.controlLong(offset);
            if (length < MsgHdr.CMSG_HEADER || offset + length > used) {
                break;
            }
            if (rx.controlInt(offset + 8) == MsgHdr.SOL_SOCKET && rx.controlInt(offset + 12) == MsgHdr.SCM_RIGHTS) {
                int count = (int) ((length - MsgHdr.CMSG_HEADER) / 4);
                for (int i = 0; i < count; i++) {
                    int received = rx.controlInt(offset + MsgHdr.CMSG_HEADER + 4 * i);
                    if (fds != null) {
                        fds.offer(received);
                    } else {
                        LOG.warn("fd {}: closing unexpected fd {} that came with data", fd, received);
                        FileDescriptors.close(received);
                    }
                }
            }
            offset += MsgHdr.cmsgAlign((int) length);
        }
    }

    /**
     * Sends {@code header} then {@code body} (may be null) from position to limit as one message and
     * advances both positions. {@code fds[0..fdCount)} ride on the first sendmsg, i.e. on the message's
     * first byte. Direct buffers go out zero-copy; heap buffers are staged through native scratch. Sends
     * from several threads are serialized, so messages never interleave on the stream.
     *
     * @throws PeerClosedException on EPIPE/ECONNRESET (MSG_NOSIGNAL: no SIGPIPE)
     */
    public void send(ByteBuffer header, ByteBuffer body, int[] fds, int fdCount) throws IOException {
        if (fdCount < 0 || fdCount > MAX_FDS_PER_MESSAGE || (fdCount > 0 && (fds == null || fdCount > fds.length))) {
            throw new IllegalArgumentException("fdCount " + fdCount);
        }
        int headerPos = header == null ? 0 : header.position();
        final int headerEnd = header == null ? 0 : header.limit();
        int bodyPos = body == null ? 0 : body.position();
        final int bodyEnd = body == null ? 0 : body.limit();
        if (headerPos == headerEnd && bodyPos == bodyEnd) {
            if (fdCount > 0) {
                throw new IllegalArgumentException("fds need at least one byte of data to ride on");
            }
            return;
        }
        sendLock.lock();
        try {
            ensureOpen();
            sendBlocked = false;
            int controlLength = fdCount > 0 ? tx.putRights(fds, fdCount) : 0;
            while (headerPos < headerEnd || bodyPos < bodyEnd) {
                // Gather up to two iovecs: direct parts in place, heap parts copied into the staging block.
                int staged = 0;
                long headerAddress = 0;
                int headerLength = 0;
                if (headerPos < headerEnd) {
                    if (header.isDirect()) {
                        headerAddress = NativeBlock.addressOf(header) + headerPos;
                        headerLength = headerEnd - headerPos;
                    } else {
                        headerLength = Math.min(headerEnd - headerPos, STAGING_BYTES);
                        staging.bytes.put(0, header, headerPos, headerLength);
                        headerAddress = staging.address;
                        staged = headerLength;
                    }
                }
                long bodyAddress = 0;
                int bodyLength = 0;
                boolean headerFinishes = headerPos + headerLength == headerEnd;
                if (bodyPos < bodyEnd && headerFinishes) {
                    if (body.isDirect()) {
                        bodyAddress = NativeBlock.addressOf(body) + bodyPos;
                        bodyLength = bodyEnd - bodyPos;
                    } else if (staged < STAGING_BYTES) {
                        bodyLength = Math.min(bodyEnd - bodyPos, STAGING_BYTES - staged);
                        staging.bytes.put(staged, body, bodyPos, bodyLength);
                        bodyAddress = staging.address + staged;
                    }
                }
                if (headerLength > 0) {
                    sendFully(headerAddress, headerLength, bodyAddress, bodyLength, controlLength);
                } else {
                    sendFully(bodyAddress, bodyLength, 0, 0, controlLength);
                }
                controlLength = 0;
                headerPos += headerLength;
                bodyPos += bodyLength;
            }
            if (header != null) {
                header.position(headerEnd);
            }
            if (body != null) {
                body.position(bodyEnd);
            }
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * One sendmsg of {@code msghdr}: bytes sent, or -1 to call again (EINTR, or room appeared after
     * a full queue under the send timeout); other failures throw.
     */
    private long sendOnce(jnr.ffi.Pointer msghdr) throws IOException {
        long timeout = sendTimeoutNanos;
        long n = Native.libc().sendmsg(fd, msghdr, timeout > 0 ? MSG_NOSIGNAL | MSG_DONTWAIT : MSG_NOSIGNAL);
        if (n < 0) {
            int errno = Native.lastErrno();
            if (errno == Errno.EINTR) {
                return -1;
            }
            if (errno == Errno.EAGAIN && timeout > 0) {
                awaitRoomToSend(timeout);
                return -1;
            }
            if (errno == Errno.EPIPE || errno == Errno.ECONNRESET) {
                throw new PeerClosedException("peer is gone: sendmsg on fd " + fd, errno);
            }
            throw new TransportException("sendmsg on fd " + fd + " failed", errno);
        }
        if (n == 0) {
            throw new TransportException("sendmsg on fd " + fd + " sent nothing");
        }
        return n;
    }

    /** The peer's queue is full: waits in poll(2) for room, at most until this message's send bound ends. */
    private void awaitRoomToSend(long timeout) throws IOException {
        long now = System.nanoTime();
        if (!sendBlocked) {
            sendBlocked = true;
            sendBlockedSince = now;
        }
        long left = sendBlockedSince + timeout - now;
        if (left <= 0 || !FdReadiness.awaitWritable(fd, left)) {
            throw new SendTimeoutException("peer took too little of a message for " + timeout / 1_000_000
                    + " ms: sendmsg on fd " + fd + " found its queue full", Errno.EAGAIN);
        }
    }

    /** sendmsg until both iovecs are out; the control data (fds) goes only with the first call. */
    private void sendFully(long address0, long length0, long address1, long length1, int controlLength)
            throws IOException {
        while (length0 > 0 || length1 > 0) {
            if (length0 == 0) {
                address0 = address1;
                length0 = length1;
                length1 = 0;
            }
            tx.iov(0, address0, length0);
            tx.iov(1, address1, length1);
            tx.prepare(length1 > 0 ? 2 : 1, controlLength);
            long n = sendOnce(tx.pointer());
            if (n < 0) {
                continue;   // EINTR
            }
            controlLength = 0;
            if (n >= length0) {
                long rest = n - length0;
                address0 = address1 + rest;
                length0 = length1 - rest;
                length1 = 0;
            } else {
                address0 += n;
                length0 -= n;
            }
        }
    }

    /** A message as a list of segments of direct buffers, sent in order by {@link #send(Segments)}. */
    public interface Segments {
        int count();

        /** A direct buffer; the segment is {@link #length(int)} bytes of it from {@link #offset(int)} (absolute). */
        ByteBuffer buffer(int segment);

        int offset(int segment);

        int length(int segment);
    }

    /**
     * Sends the segments, in order, as one message with as few sendmsg calls as the kernel allows
     * (up to {@link IoVector#MAX_IOVECS} iovecs each, no copy by the JVM), looping over short sends
     * and EINTR. No fds. Serialized with the other sends, so messages never interleave.
     *
     * @throws PeerClosedException on EPIPE/ECONNRESET (MSG_NOSIGNAL: no SIGPIPE)
     */
    public void send(Segments message) throws IOException {
        int count = message.count();
        for (int i = 0; i < count; i++) {
            ByteBuffer b = message.buffer(i);
            if (!b.isDirect() || message.offset(i) < 0 || message.length(i) < 0
                    || message.offset(i) + message.length(i) > b.capacity()) {
                throw new IllegalArgumentException("segment " + i + " is not a range of a direct buffer");
            }
        }
        sendLock.lock();
        try {
            ensureOpen();
            sendBlocked = false;
            if (gather == null) {
                gather = new IoVector();
            }
            ByteBuffer known = null;   // segments mostly share a few buffers: one address lookup (JNI) each
            long knownAddress = 0;
            int next = 0;       // first segment not fully sent
            long sentOfNext = 0; // bytes of it already sent
            while (next < count) {
                int iovecs = 0;
                for (int i = next; i < count && iovecs < IoVector.MAX_IOVECS; i++) {
                    long skip = i == next ? sentOfNext : 0;
                    if (message.length(i) - skip > 0) {
                        ByteBuffer b = message.buffer(i);
                        if (b != known) {
                            known = b;
                            knownAddress = NativeBlock.addressOf(b);
                        }
                        gather.iov(iovecs++, knownAddress + message.offset(i) + skip, message.length(i) - skip);
                    }
                }
                if (iovecs == 0) {
                    break;
                }
                gather.prepare(iovecs);
                long n = sendOnce(gather.pointer());
                if (n < 0) {
                    continue;   // EINTR
                }
                // advance past what went out
                long left = n + sentOfNext;
                while (next < count && left >= message.length(next)) {
                    left -= message.length(next);
                    next++;
                }
                sentOfNext = left;
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** Waits until a receive would not block (data, fds or the peer's hang-up); false on timeout. */
    public boolean awaitReadable(Duration timeout) throws IOException {
        if (aheadStart < aheadEnd) {   // read ahead already: a receive would not block (receiving thread only)
            return true;
        }
        return FdReadiness.awaitReadable(fd, timeout);
    }

    /**
     * Bounds how long one message may find the peer's receive queue full, counted from the first
     * send of it that would block (a peer that stops reading, or reads too slowly): past it the send
     * throws {@link SendTimeoutException}. ZERO (the default) means a send waits for the peer forever.
     * Sends that do not block read no clock.
     */
    public void setSendTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        sendTimeoutNanos = timeout.toNanos();
    }

    /** SO_RCVTIMEO: a receive waiting longer throws {@link ReceiveTimeoutException}; ZERO means wait forever. */
    public void setReceiveTimeout(Duration timeout) throws IOException {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        // struct timeval: 0 time_t tv_sec, 8 suseconds_t tv_usec
        NativeBlock timeval = new NativeBlock(16);
        try {
            long seconds = timeout.getSeconds();
            long micros = timeout.getNano() / 1000;
            if (seconds == 0 && micros == 0 && !timeout.isZero()) {
                micros = 1;   // a sub-microsecond timeout must not turn into "no timeout"
            }
            timeval.bytes.putLong(0, seconds);
            timeval.bytes.putLong(8, micros);
            synchronized (stateLock) {
                ensureOpen();
                if (Native.libc().setsockopt(fd, UnixSocket.SOL_SOCKET, UnixSocket.SO_RCVTIMEO, timeval.pointer, 16)
                        != 0) {
                    throw new TransportException("setsockopt(SO_RCVTIMEO) on fd " + fd, Native.lastErrno());
                }
            }
        } finally {
            timeval.free();
        }
    }

    /**
     * shutdown(SHUT_RDWR): a blocked receive returns (false, or PeerClosedException mid-buffer), a blocked
     * send fails, the peer sees EOF. Thread.interrupt() cannot do this for a thread inside recvmsg.
     * Idempotent; the fd stays open until {@link #close()}.
     */
    public void shutdown() {
        synchronized (stateLock) {
            if (closed || shutDown) {
                return;
            }
            shutDown = true;
            if (Native.libc().shutdown(fd, UnixSocket.SHUT_RDWR) != 0) {
                int errno = Native.lastErrno();
                if (errno != Errno.ENOTCONN) {
                    LOG.warn("shutdown of fd {} failed: {}", fd, Native.describe(errno));
                }
            }
        }
    }

    /** Shuts down, waits for in-flight calls to leave, closes the fd and frees the native scratch. Idempotent. */
    @Override
    public void close() {
        shutdown();
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        receiveLock.lock();
        sendLock.lock();
        try {
            FileDescriptors.close(fd);
            aheadFds.closeAll();
            rx.free();
            tx.free();
            staging.free();
            ahead.free();
            if (gather != null) {
                gather.free();
            }
        } finally {
            sendLock.unlock();
            receiveLock.unlock();
        }
    }

    private void ensureOpen() throws TransportException {
        if (closed) {
            throw new TransportException("socket fd " + fd + " is closed");
        }
    }

    @Override
    public String toString() {
        return "MessageSocket[fd " + fd + (closed ? ", closed" : "") + "]";
    }
}
