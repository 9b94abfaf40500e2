package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Capabilities;
import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DmaMap;
import dev.vfiosim.server.protocol.DmaTransfer;
import dev.vfiosim.server.protocol.DmaUnmap;
import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.DeviceInfo;
import dev.vfiosim.server.protocol.IrqInfoMessage;
import dev.vfiosim.server.protocol.IrqSet;
import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.server.protocol.RegionAccess;
import dev.vfiosim.server.protocol.RegionInfoMessage;
import dev.vfiosim.server.protocol.RegionIoFds;
import dev.vfiosim.server.protocol.RegionWriteMulti;
import dev.vfiosim.server.protocol.VersionMessage;
import dev.vfiosim.server.protocol.VersionNegotiation;
import dev.vfiosim.server.transport.MemfdSharedMemory;
import dev.vfiosim.server.transport.MessageDeadline;
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.server.transport.PeerClosedException;
import dev.vfiosim.server.transport.ReceiveTimeoutException;
import dev.vfiosim.server.transport.ReceivedFds;
import dev.vfiosim.server.transport.SendTimeoutException;
import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.irq.InterruptSink;
import dev.vfiosim.simulator.irq.IrqInfo;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.pci.RegionInfo;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected client: reads its commands in order, checks them against what was negotiated,
 * hands them to the device and answers each one (unless it asked for no reply). A bad request gets
 * an error reply with a precise errno and a (rate-limited) log line, and the connection goes on.
 * A header whose {@code msg_size} cannot be right, or a message that stops half-way for longer than
 * the message timeout, ends the connection: the framing is lost.
 *
 * <p>Threads (docs/connection.md): the session's own thread reads every message and handles
 * commands inline, so a register access costs one thread and no allocation. A command that may wait
 * for the device (stop, reset, FLR, migration data) goes to a {@link CommandWorker} instead, and the
 * reader keeps reading: replies to the device's DMA requests go straight to {@link MessageDma}, and
 * further commands queue behind the waiting one, in order.
 */
public final class Session implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** A message that has begun must be complete within this long; QEMU's own reply timeout is 5 s. */
    public static final Duration DEFAULT_MESSAGE_TIMEOUT = Duration.ofSeconds(5);
    /** How long teardown waits for a command still running on the worker. */
    private static final Duration WORKER_STOP_BOUND = Duration.ofSeconds(1);

    private final MessageSocket socket;
    private final VfioDevice device;
    private final ServerLimits limits;
    private final VersionNegotiation negotiation;
    private final IrqEventfds irqEventfds;
    private final DmaMapTable dmaMaps;
    private final DmaLogging dmaLogging;
    private final Map<Integer, DeviceFeatureHandler> features = new HashMap<>();
    private final MigrationCommands migrationCommands;
    private final MigrationDataRoute migrationData;
    private final IrqRestorePolicy irqRestore;
    private final MessageFaults messageFaults;
    private final String name;

    // The execution buffers: the message being handled. They belong to the reader while the worker
    // is idle, to the worker while it is busy (CommandWorker); swapped with the spare set, never shared.
    private ByteBuffer header = direct(MessageHeader.SIZE);
    private ByteBuffer payload;
    private ReceivedFds fds;
    private final ByteBuffer replyHeader = direct(MessageHeader.SIZE);
    private final ByteBuffer replyBody;
    // What the reader reads into while the worker owns the execution buffers (made on first use).
    private ByteBuffer spareHeader;
    private ByteBuffer sparePayload;
    private ReceivedFds spareFds;
    private final ByteBuffer framingReply = direct(MessageHeader.SIZE);
    private MessageDeadline deadline = new MessageDeadline(DEFAULT_MESSAGE_TIMEOUT);
    private final BadMessageLog badMessages;
    private CommandWorker worker;
    // commands the reader handed to the idle worker, and all the worker ran (those queued behind included);
    // each written by one thread only, status reads a snapshot (as messagesHandled)
    private long handOffs;
    private long commandsOnWorker;
    private volatile String endedBy;
    private volatile boolean readingEnded;
    private final int[] replyFds = new int[1];
    private int replyFdCount;

    private boolean negotiated;
    private volatile MessageDma messageDma;
    private long messagesHandled;
    private long errorsReplied;
    // trace and metrics; null when neither is on, so the hot path pays one null check per message
    private final MessageObserver observer;
    private volatile Capabilities clientCaps;
    private long commandArrived;
    // the migration-contract audit (serve --audit); null when off: one null check per message
    private AuditHook audit;

    public Session(MessageSocket socket, VfioDevice device, ServerLimits limits, String name) {
        this(socket, device, limits, IrqRestorePolicy.ANY, name);
    }

    public Session(MessageSocket socket, VfioDevice device, ServerLimits limits, IrqRestorePolicy irqRestore,
            String name) {
        this(socket, device, limits, irqRestore, FaultInjector.NONE, name);
    }

    /** {@code faults} is the server's: shared by its sessions, so that counts and arming outlive a client. */
    public Session(MessageSocket socket, VfioDevice device, ServerLimits limits, IrqRestorePolicy irqRestore,
            FaultInjector faults, String name) {
        this(socket, device, limits, irqRestore, faults, null, name);
    }

    /** {@code observer} sees every message (trace, metrics); {@code null} for none. */
    public Session(MessageSocket socket, VfioDevice device, ServerLimits limits, IrqRestorePolicy irqRestore,
            FaultInjector faults, MessageObserver observer, String name) {
        this.observer = observer;
        this.irqRestore = irqRestore;
        this.messageFaults = new MessageFaults(faults, socket, name);
        this.socket = socket;
        this.device = device;
        this.limits = limits;
        this.name = name;
        this.badMessages = new BadMessageLog(LOG, name);
        this.negotiation = new VersionNegotiation(VersionNegotiation.MINOR, limits.offer());
        this.payload = direct((int) (limits.maxMessageSize() - MessageHeader.SIZE));
        this.replyBody = direct(RegionAccess.SIZE + limits.maxDataXferSize());
        this.fds = new ReceivedFds(limits.maxMsgFds());
        int[] counts = new int[device.irqCount()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = device.irqInfo(i).count();
        }
        this.irqEventfds = new IrqEventfds(counts, faults);
        this.dmaLogging = new DmaLogging(limits.maxDataXferSize(), faults);
        this.dmaMaps = new DmaMapTable(Capabilities.DEFAULT_MAX_DMA_MAPS, dmaLogging, faults);
        dmaMaps.listen(device.dmaMappingListener());
        features.put(DeviceFeature.DMA_LOGGING_START, DeviceFeatureHandler.setOnly(dmaLogging::start));
        features.put(DeviceFeature.DMA_LOGGING_STOP, DeviceFeatureHandler.setOnly(dmaLogging::stop));
        features.put(DeviceFeature.DMA_LOGGING_REPORT, DeviceFeatureHandler.getOnly(dmaLogging::report));
        VfioMigration migration = device.migration();
        this.migrationCommands = migration == null ? null : new MigrationCommands(migration, name);
        this.migrationData = migration == null ? null : new MigrationDataRoute(migration, faults.plan());
        if (migrationCommands != null) {
            migrationCommands.register(features);
        }
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Who referees the VMM's migration contract on this session ({@code null} for nobody); before {@link #begin()}. */
    public Session audit(AuditHook hook) {
        this.audit = hook;
        return this;
    }

    /** How long a begun message may take to arrive in full (before {@link #begin()}). */
    public void messageTimeout(Duration timeout) {
        this.deadline = new MessageDeadline(timeout);
    }

    /** How a turn of this session on a shared worker ended ({@link #serve}). */
    public enum Turn {
        /** Nothing arrived within the socket's receive timeout: wait for the client elsewhere. */
        IDLE,
        /** Its slice is used up and other connections wait: its next turn goes behind theirs. */
        YIELD,
        /** The connection is over and its resources released ({@link #close()} is left to the caller). */
        ENDED
    }

    /** Whether other connections wait for the thread this session is served on. */
    public interface Sharing {
        boolean othersWaiting();
    }

    /**
     * How long a session keeps its worker while others wait for one: a connection that keeps
     * sending lets them go after this, one that has nothing queued at once.
     */
    static final long SLICE_NANOS = 2_000_000;

    /** Connects the device to this client: before the first {@link #serve}. */
    public void begin() {
        // a reply or DMA request the client leaves unread may hold this session's thread no longer
        // than a begun message may take to arrive
        socket.setSendTimeout(deadline.timeout());
        MessageObserver o = observer;
        AuditHook a = audit;
        device.connectInterrupts(o == null && a == null ? irqEventfds : new ObservedInterrupts(irqEventfds, o, a));
        if (o != null) {
            dmaMaps.observeFaults(o::dmaFault);
        }
        if (a != null) {
            a.attached(new AuditHook.SessionFacts() {
                @Override
                public boolean mapped(long iova, long length) {
                    return dmaMaps.covers(iova, length);
                }

                @Override
                public long messagesHandled() {
                    return messagesHandled;
                }
            });
        }
        device.connectDma(a == null ? dmaMaps : a.watch(dmaMaps));
    }

    /**
     * Reads and handles the client's messages until there is nothing more for a while, others
     * should have a turn, or the connection ends. Waiting for a message's first byte is bounded by
     * the socket's receive timeout (set by whoever shares threads between connections; without one
     * this serves until the end); once a message has begun, by the message deadline as before.
     * Without {@code linger} a next message is only read if it is already there. While {@code
     * sharing} says others wait, the turn ends after {@link #SLICE_NANOS}.
     */
    public Turn serve(Sharing sharing, boolean linger) {
        long sliceEnd = System.nanoTime() + SLICE_NANOS;
        String end = "client disconnected";
        try {
            while (true) {
                boolean othersWaiting = sharing.othersWaiting();
                if (othersWaiting && System.nanoTime() - sliceEnd > 0) {
                    return Turn.YIELD;
                }
                if (!linger && !socket.awaitReadable(Duration.ZERO)) {
                    return Turn.IDLE;
                }
                try {
                    if (!readOne()) {
                        break;
                    }
                } catch (ReceiveTimeoutException e) {
                    if (!deadline.started()) {
                        return Turn.IDLE;   // no byte of a next message within the receive timeout
                    }
                    throw e;
                }
            }
        } catch (FramingLost e) {
            end = "connection closed: " + e.getMessage();
        } catch (MessageFaults.ConnectionClosedByFault e) {
            end = "connection " + e.getMessage();
        } catch (ReceiveTimeoutException e) {
            end = "connection dropped, a message stopped half-way: " + e.getMessage();
        } catch (PeerClosedException e) {
            end = "client went away mid-message: " + e.getMessage();
        } catch (SendTimeoutException e) {
            end = "connection dropped, the client stopped taking what the server sends: " + e.getMessage();
        } catch (CommandWorker.QueueFullException e) {
            end = "connection closed: " + e.getMessage();
        } catch (IOException e) {
            end = "connection failed: " + e.getMessage();
        } catch (RuntimeException | Error e) {
            finish("internal error: " + e);
            throw e;
        }
        finish(end);
        return Turn.ENDED;
    }

    /** Releases every fd the client gave us and says why and how the connection ended. */
    private void finish(String end) {
        try {
            readingEnded = true;
            release();
        } finally {
            String why = endedBy;
            AuditHook a = audit;
            if (a != null) {
                a.detached(why != null ? why : end);
            }
            LOG.info("{}: {} after {} commands, {} error replies, {}", name, why != null ? why : end, messagesHandled,
                    errorsReplied, badMessages.summary());
        }
    }

    /** The socket's fd, for a poller that waits for this client's next message. */
    public int socketFd() {
        return socket.fd();
    }

    /** Sets how long a receive waits for the first byte of a message before the turn ends {@link Turn#IDLE}. */
    public void lingerFor(Duration linger) throws IOException {
        socket.setReceiveTimeout(linger);
    }

    /**
     * Reads one message and handles it inline, hands it to the worker, queues it behind the
     * worker's command, or routes it (a reply) to {@link MessageDma}. False on a clean end.
     */
    private boolean readOne() throws IOException, CommandWorker.QueueFullException {
        boolean inline = worker == null || !worker.busy();
        if (!inline && spareHeader == null) {
            spareHeader = direct(MessageHeader.SIZE);
            sparePayload = direct(payload.capacity());
            spareFds = new ReceivedFds(limits.maxMsgFds());
        }
        ByteBuffer h = inline ? header : spareHeader;
        ByteBuffer p = inline ? payload : sparePayload;
        ReceivedFds f = inline ? fds : spareFds;
        if (!receiveMessage(h, p, f)) {
            return false;
        }
        if (MessageHeader.type(h) == MessageHeader.TYPE_REPLY) {
            replyToUs(h, p, f);
            return true;
        }
        if (!inline) {
            ReceivedFds taken = f;
            if (worker.queueIfBusy(() -> new QueuedCommand(h, p, taken))) {
                spareFds = new ReceivedFds(limits.maxMsgFds());
                return true;
            }
            swapInSpare();   // the worker went idle meanwhile: the execution buffers are ours again
        }
        if (mayWaitForDevice(header, payload)) {
            handOffs++;
            worker().runCurrent();
        } else {
            execute();
        }
        return true;
    }

    private CommandWorker worker() {
        if (worker == null) {
            worker = new CommandWorker(new CommandWorker.Executor() {
                @Override
                public void executeCurrent() {
                    executeOnWorker();
                }

                @Override
                public void load(QueuedCommand command) {
                    header.clear();
                    header.put(command.header.duplicate()).flip();
                    payload.clear();
                    payload.put(command.payload.duplicate()).flip();
                    ReceivedFds previous = fds;
                    fds = command.fds;
                    previous.closeAll();
                }
            }, ServingThreads.shared().commands, name);
        }
        return worker;
    }

    private void swapInSpare() {
        ByteBuffer h = header;
        header = spareHeader;
        spareHeader = h;
        ByteBuffer p = payload;
        payload = sparePayload;
        sparePayload = p;
        ReceivedFds f = fds;
        fds = spareFds;
        spareFds = f;
    }

    /**
     * Commands whose handling may wait for the device's own threads, which may in turn wait for a
     * DMA reply only the reader can receive: a migration state change or other DEVICE_FEATURE, a
     * reset, migration data unless the device is stopped (in PRE_COPY the stream is built from the
     * engine held between two units of work; {@link MigrationDataRoute}), and config space writes
     * (Device Control can start an FLR). Asked while the worker is idle.
     */
    private boolean mayWaitForDevice(ByteBuffer h, ByteBuffer p) {
        int cmd = MessageHeader.command(h);
        if (cmd == Command.DEVICE_RESET.code() || cmd == Command.DEVICE_FEATURE.code()) {
            return true;
        }
        if (cmd == Command.MIG_DATA_READ.code() || cmd == Command.MIG_DATA_WRITE.code()) {
            return migrationData == null || !migrationData.onReader(cmd);
        }
        if (cmd == Command.REGION_WRITE.code()) {
            return p.remaining() >= RegionAccess.SIZE && RegionAccess.region(p) == VfioRegion.CONFIG;
        }
        return cmd == Command.REGION_WRITE_MULTI.code() && writesConfigSpace(p);
    }

    /** Whether a REGION_WRITE_MULTI has an entry for the config space; a malformed one is refused inline. */
    private static boolean writesConfigSpace(ByteBuffer p) {
        int entries;
        try {
            entries = RegionWriteMulti.entryCount(p);
        } catch (ProtocolException malformed) {
            return false;
        }
        for (int i = 0; i < entries; i++) {
            if (p.getInt(RegionWriteMulti.entryPosition(p, i) + 8) == VfioRegion.CONFIG) {
                return true;
            }
        }
        return false;
    }

    /**
     * Commands that hold the device still until its in-flight work is done: a state change (STOP,
     * the P2P quiesce), a reset or an FLR. While one runs, the device's outstanding DMA must hurry.
     * Migration data and dirty reports wait for the device too, but not for its DMA to end.
     */
    private boolean holdsTheDevice(ByteBuffer h, ByteBuffer p) {
        int cmd = MessageHeader.command(h);
        if (cmd == Command.DEVICE_FEATURE.code()) {
            if (p.remaining() < DeviceFeature.SIZE) {
                return false;
            }
            int flags = p.getInt(p.position() + 4);
            return (flags & DeviceFeature.INDEX_MASK) == DeviceFeature.MIG_DEVICE_STATE && (flags & DeviceFeature.SET) != 0;
        }
        return cmd == Command.DEVICE_RESET.code()
                || ((cmd == Command.REGION_WRITE.code() || cmd == Command.REGION_WRITE_MULTI.code()) && mayWaitForDevice(h, p));
    }

    /** On the worker; a command that holds the device makes its outstanding DMA hurry. */
    private void executeOnWorker() {
        commandsOnWorker++;
        MessageDma messages = messageDma;
        boolean holds = holdsTheDevice(header, payload);
        if (messages != null && holds) {
            messages.hurry();
        }
        try {
            execute();
        } catch (IOException e) {
            // the reply could not be sent, or the fault plan closed the connection: end it for the reader
            if (e instanceof MessageFaults.ConnectionClosedByFault) {
                endedBy = "connection " + e.getMessage();
            } else if (!(e instanceof PeerClosedException)) {
                endedBy = "connection failed: " + e.getMessage();
            }
            socket.shutdown();
        } finally {
            if (messages != null && holds) {
                messages.unhurry();
            }
        }
    }

    /** Handles and answers the command in the execution buffers; releases the fds it did not take. */
    private void execute() throws IOException {
        int msgId = MessageHeader.msgId(header);
        int cmd = MessageHeader.command(header);
        boolean noReply = MessageHeader.isNoReply(header);
        messagesHandled++;
        MessageObserver o = observer;
        if (o != null) {
            commandArrived = System.nanoTime();
            o.command(header, payload, fds.count());
        }
        try {
            checkHeader();
            Errno injected = messageFaults.beforeCommand(cmd, noReply, payload);
            if (injected != null) {
                refuse(msgId, cmd, noReply, injected, "injected by the fault plan");
                return;
            }
            Command audited = audit == null || !negotiated ? null : Command.ofCode(cmd);
            if (audited != null) {
                audit.beforeCommand(audited, msgId, payload, fds.count());
            }
            handle(cmd, MessageHeader.messageSize(header));
            if (audited != null) {
                audit.afterCommand(audited, msgId, payload.position(0), replyBody, 0);
            }
            if (!noReply) {
                sendReply(msgId, cmd);
            } else if (o != null) {
                o.noReply(header, 0, System.nanoTime() - commandArrived);
            }
        } catch (DeviceException e) {
            auditRefusal(msgId, cmd, e.errno());
            refuse(msgId, cmd, noReply, e.errno(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{}: internal error handling {}", name, MessageHeader.describe(header), e);
            auditRefusal(msgId, cmd, Errno.EIO);
            refuse(msgId, cmd, noReply, Errno.EIO, "internal error: " + e);
        } finally {
            // reply fds are borrowed from the device's shared memory and stay open; received ones not taken are closed
            replyFdCount = 0;
            fds.closeAll();
        }
    }

    /** Tells the audit that a command it saw failed (its own strict refusals included). */
    private void auditRefusal(int msgId, int cmd, Errno errno) {
        Command command = audit == null || !negotiated ? null : Command.ofCode(cmd);
        if (command != null) {
            audit.afterCommand(command, msgId, payload.position(0), replyBody.clear().limit(0), errno.code());
        }
    }

    /**
     * Reads one whole message into {@code h}, {@code p} and {@code f}. A {@code msg_size} below the
     * header or above the largest message is answered at once (unless NO_REPLY) and ends the
     * connection: resynchronising would mean trusting it, or reading gigabytes.
     */
    private boolean receiveMessage(ByteBuffer h, ByteBuffer p, ReceivedFds f) throws IOException {
        deadline.reset();
        h.clear();
        if (!socket.receive(h, f, deadline)) {
            return false;
        }
        h.flip();
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: <- {} fds={}", name, MessageHeader.describe(h), f.count());
        }
        long size = MessageHeader.messageSize(h);
        p.clear();
        if (size < MessageHeader.SIZE || size > limits.maxMessageSize()) {
            p.limit(0);
            f.closeAll();
            String why = size < MessageHeader.SIZE ? "msg_size " + size + " is smaller than the 16-byte header"
                    : "msg_size " + size + " exceeds the largest accepted message (" + limits.maxMessageSize() + " bytes)";
            refuseFraming(h, why);
            throw new FramingLost(why);
        }
        p.limit((int) (size - MessageHeader.SIZE));
        if (p.hasRemaining()) {
            socket.receive(p, f, deadline);
        }
        p.flip();
        return true;
    }

    /** The header checks that leave the framing intact: the message is refused, the connection goes on. */
    private void checkHeader() {
        if (fds.truncated()) {
            throw ProtocolException.invalid("message carried more than " + limits.maxMsgFds()
                    + " fds (the negotiated max_msg_fds); the kernel dropped the rest");
        }
        int type = MessageHeader.type(header);
        if (type != MessageHeader.TYPE_COMMAND) {
            throw ProtocolException.invalid("message type " + type + " is neither a command nor a reply (flags 0x"
                    + Integer.toHexString(MessageHeader.flags(header)) + ")");
        }
        int reserved = MessageHeader.flags(header) & ~(MessageHeader.TYPE_MASK | MessageHeader.NO_REPLY);
        if (reserved != 0) {
            throw ProtocolException.invalid("reserved header flag bits 0x" + Integer.toHexString(reserved) + " are set");
        }
    }

    /** A reply from the client: only our DMA requests get replies; anything else is logged and dropped. */
    private void replyToUs(ByteBuffer h, ByteBuffer p, ReceivedFds f) {
        MessageDma messages = messageDma;
        if (observer != null) {
            observer.clientReply(h, p, f.count());
        }
        if (f.count() != 0) {
            badMessages.report("reply " + MessageHeader.describe(h) + " carried " + f.count() + " fds; closed");
            f.closeAll();
        }
        int reserved = MessageHeader.flags(h) & ~(MessageHeader.TYPE_MASK | MessageHeader.ERROR);
        if (reserved != 0) {
            badMessages.report("reply " + MessageHeader.describe(h) + " has reserved flag bits 0x"
                    + Integer.toHexString(reserved) + "; dropped");
            return;
        }
        if (messages == null || !messages.replyArrived(MessageHeader.msgId(h), MessageHeader.command(h),
                MessageHeader.errorNo(h), MessageHeader.isError(h), p)) {
            badMessages.report("unexpected reply " + MessageHeader.describe(h)
                    + " (no request of ours is waiting for it); dropped");
        }
    }

    /** The error reply to a header whose framing cannot be trusted, sent by the reader itself. */
    private void refuseFraming(ByteBuffer h, String why) throws IOException {
        boolean noReply = MessageHeader.isNoReply(h);
        badMessages.report(MessageHeader.describe(h) + (noReply ? " (NO_REPLY, so no error reply)" : " refused with EINVAL")
                + ": " + why + "; closing the connection");
        if (!noReply && MessageHeader.type(h) != MessageHeader.TYPE_REPLY) {
            MessageHeader.write(framingReply, MessageHeader.msgId(h), MessageHeader.command(h), MessageHeader.SIZE,
                    MessageHeader.TYPE_REPLY | MessageHeader.ERROR, Errno.EINVAL.code());
            socket.send(framingReply, null, replyFds, 0);
        }
    }

    /** The connection's framing is lost: it ends after the error reply. */
    private static final class FramingLost extends IOException {
        private static final long serialVersionUID = 1L;

        FramingLost(String why) {
            super(why);
        }
    }

    private void handle(int cmd, long size) {
        Command command = Command.ofCode(cmd);
        if (command == null || command == Command.DIRTY_PAGES) {
            throw new ProtocolException(Errno.ENOSYS, "unknown command " + cmd);
        }
        if (!negotiated && command != Command.VERSION) {
            throw ProtocolException.invalid(command + " before VERSION negotiation");
        }
        if (command != Command.DEVICE_SET_IRQS && command != Command.DMA_MAP && fds.count() != 0) {
            throw ProtocolException.invalid(command + " takes no fds but " + fds.count() + " arrived");
        }
        replyBody.clear();
        switch (command) {
            case VERSION -> version();
            case DMA_MAP -> dmaMap();
            case DMA_UNMAP -> dmaUnmap();
            case DEVICE_GET_INFO -> deviceInfo();
            case DEVICE_GET_REGION_INFO -> regionInfo();
            case DEVICE_GET_REGION_IO_FDS -> regionIoFds();
            case DEVICE_GET_IRQ_INFO -> irqInfo();
            case DEVICE_SET_IRQS -> setIrqs();
            case REGION_READ -> regionRead();
            case REGION_WRITE -> regionWrite();
            case REGION_WRITE_MULTI -> regionWriteMulti();
            case DEVICE_RESET -> reset();
            case DEVICE_FEATURE -> deviceFeature();
            // pages may be lent (sent from the state, uncopied) unless a fault tears the reply
            case MIG_DATA_READ -> migration().read(payload, replyBody, limits.maxDataXferSize(),
                    !messageFaults.tearsReply());
            case MIG_DATA_WRITE -> migration().write(payload);
            case DMA_READ, DMA_WRITE -> throw ProtocolException.invalid(command + " is sent by the server, not the client");
            default -> throw new ProtocolException(Errno.ENOSYS, command + " is not supported by this server yet");
        }
        replyBody.flip();
    }

    private void version() {
        if (negotiated) {
            throw ProtocolException.invalid("VERSION was already negotiated on this connection");
        }
        VersionMessage proposal = VersionMessage.decode(payload);
        VersionNegotiation.Agreement agreement = negotiation.negotiate(proposal);
        VersionMessage reply = agreement.reply();
        if (reply.encodedSize() > payload.remaining() && payload.remaining() > VersionMessage.FIXED_SIZE) {
            LOG.debug("{}: VERSION reply ({} bytes) is larger than the request ({} bytes)", name,
                    reply.encodedSize(), payload.remaining());
        }
        reply.encode(replyBody);
        negotiated = true;
        clientCaps = agreement.client();
        int chunk = (int) Math.min(agreement.client().maxDataXferSize(), limits.maxDataXferSize());
        messageDma = new MessageDma(socket, chunk, DmaTransfer.forProposal(proposal), observer);
        dmaMaps.useMessages(messageDma);
        LOG.info("{}: negotiated vfio-user {}.{}; client caps {}; DMA_READ/WRITE in the {} layout", name, reply.major(),
                reply.minor(), agreement.client(), messageDma.layout());
    }

    private void dmaMap() {
        DmaMap request = DmaMap.decode(payload, fds.count());
        dmaMaps.map(request, fds.count() == 1 ? fds.take(0) : -1);
    }

    private void dmaUnmap() {
        DmaUnmap request = DmaUnmap.decode(payload);
        if (request.flags() == DmaUnmap.FLAG_ALL) {
            int n = dmaMaps.unmapAllByClient();
            LOG.debug("{}: unmapped all {} DMA mappings", name, n);
        } else {
            dmaMaps.unmap(request.address(), request.size());
        }
        new DmaUnmap(DmaUnmap.SIZE, request.flags(), request.address(), request.size()).encode(replyBody);
    }

    /** Number of DMA mappings the client holds right now. */
    public int dmaMappings() {
        return dmaMaps.size();
    }

    private void deviceInfo() {
        DeviceInfo.decode(payload);
        new DeviceInfo(DeviceInfo.SIZE, DeviceInfo.FLAG_RESET | DeviceInfo.FLAG_PCI, device.regionCount(),
                device.irqCount()).encode(replyBody);
    }

    private void regionInfo() {
        RegionInfoMessage.Request request = RegionInfoMessage.decodeRequest(payload);
        RegionInfo info = device.regionInfo(request.index());
        RegionInfoMessage.encodeReply(replyBody, info, request.argsz());
        if (RegionInfoMessage.carriesCapabilities(info, request.argsz())) {
            SharedMemory backing = info.backing().orElseThrow();
            if (backing instanceof MemfdSharedMemory memfd) {
                replyFds[0] = memfd.fd();
                replyFdCount = 1;
            } else {
                throw new DeviceException(Errno.EIO, "region " + request.index() + " is mappable but not fd-backed");
            }
        }
    }

    private void regionIoFds() {
        RegionIoFds request = RegionIoFds.decode(payload);
        RegionInfo info = device.regionInfo(request.index());
        if (info.size() == 0) {
            throw ProtocolException.invalid("region " + request.index() + " is not implemented");
        }
        RegionIoFds.encodeReply(replyBody, request.index());
    }

    private void irqInfo() {
        IrqInfoMessage request = IrqInfoMessage.decode(payload);
        IrqInfo info = device.irqInfo(request.index());
        int flags = IrqInfoMessage.FLAG_EVENTFD
                | (info.maskable() ? IrqInfoMessage.FLAG_MASKABLE : 0)
                | (info.automasked() ? IrqInfoMessage.FLAG_AUTOMASKED : 0)
                | (info.noResize() ? IrqInfoMessage.FLAG_NORESIZE : 0);
        new IrqInfoMessage(IrqInfoMessage.SIZE, flags, request.index(), info.count()).encode(replyBody);
    }

    private void setIrqs() {
        IrqSet set = IrqSet.decode(payload, fds.count());
        IrqType type = IrqType.ofIndex(set.index());
        if (type == null || set.index() >= device.irqCount()) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS index " + Integer.toUnsignedString(set.index())
                    + " is not an interrupt type of this device");
        }
        VfioMigration migration = device.migration();
        if (migration != null && !irqRestore.accepts(migration.state())) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS refused in migration state " + migration.state()
                    + " by the device's irq-restore=" + irqRestore.name().toLowerCase().replace('_', '-') + " policy");
        }
        int vectors = device.irqInfo(set.index()).count();
        if (vectors == 0) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS on " + type + ", which has no vectors");
        }
        if (set.count() == 0) {
            boolean[] all = new boolean[vectors];
            Arrays.fill(all, true);
            irqEventfds.releaseTriggers(type, 0, vectors);
            device.irqTriggersAssigned(type, 0, all, false);
            return;
        }
        if ((long) set.start() + set.count() > vectors) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS vectors [" + set.start() + ", " + (set.start() + set.count())
                    + ") exceed the " + vectors + " vectors of " + type);
        }
        if ((type == IrqType.ERR || type == IrqType.REQ) && set.action() != IrqSet.ACTION_TRIGGER) {
            throw ProtocolException.invalid("DEVICE_SET_IRQS on " + type + " accepts only ACTION_TRIGGER");
        }
        switch (set.action()) {
            case IrqSet.ACTION_TRIGGER -> {
                if (set.dataType() == IrqSet.DATA_EVENTFD) {
                    boolean assign = fds.count() > 0;
                    if (assign) {
                        irqEventfds.assignTriggers(type, set.start(), takeAll());
                    } else {
                        irqEventfds.releaseTriggers(type, set.start(), set.count());
                    }
                    device.irqTriggersAssigned(type, set.start(), set.selected(), assign);
                } else {
                    device.triggerIrqs(type, set.start(), set.selected());
                }
            }
            case IrqSet.ACTION_MASK, IrqSet.ACTION_UNMASK -> {
                boolean mask = set.action() == IrqSet.ACTION_MASK;
                if (set.dataType() == IrqSet.DATA_EVENTFD) {
                    if (type != IrqType.INTX || mask || fds.count() == 0) {
                        throw ProtocolException.invalid("DEVICE_SET_IRQS EVENTFD with "
                                + (mask ? "MASK" : "UNMASK") + " is only an INTx unmask notifier with an fd");
                    }
                    irqEventfds.assignUnmaskNotifiers(type, set.start(), takeAll());
                } else {
                    device.maskIrqs(type, set.start(), set.selected(), mask);
                }
            }
            default -> throw new IllegalStateException("IrqSet.decode let through action " + set.action());
        }
    }

    private int[] takeAll() {
        int[] taken = new int[fds.count()];
        for (int i = 0; i < taken.length; i++) {
            taken[i] = fds.take(i);
        }
        return taken;
    }

    private void regionRead() {
        if (payload.remaining() != RegionAccess.SIZE) {
            throw ProtocolException.invalid("REGION_READ payload is " + payload.remaining() + " bytes, must be "
                    + RegionAccess.SIZE);
        }
        long offset = RegionAccess.offset(payload);
        int region = RegionAccess.region(payload);
        long count = RegionAccess.count(payload);
        checkCount(count, "REGION_READ");
        RegionAccess.write(replyBody, offset, region, (int) count);
        replyBody.limit(RegionAccess.SIZE + (int) count);
        device.readRegion(region, offset, replyBody);
        replyBody.position(RegionAccess.SIZE + (int) count);
    }

    private void regionWrite() {
        if (payload.remaining() < RegionAccess.SIZE) {
            throw ProtocolException.invalid("REGION_WRITE payload is " + payload.remaining() + " bytes, needs at least "
                    + RegionAccess.SIZE);
        }
        long offset = RegionAccess.offset(payload);
        int region = RegionAccess.region(payload);
        long count = RegionAccess.count(payload);
        checkCount(count, "REGION_WRITE");
        if (payload.remaining() != RegionAccess.SIZE + count) {
            throw ProtocolException.invalid("REGION_WRITE announces " + count + " bytes but carries "
                    + (payload.remaining() - RegionAccess.SIZE));
        }
        payload.position(RegionAccess.SIZE);
        device.writeRegion(region, offset, payload);
        RegionAccess.write(replyBody, offset, region, (int) count);
    }

    private void regionWriteMulti() {
        int entries = RegionWriteMulti.entryCount(payload);
        ByteBuffer data = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries; i++) {
            int at = RegionWriteMulti.entryPosition(payload, i);
            long offset = payload.getLong(at);
            int region = payload.getInt(at + 8);
            int count = payload.getInt(at + 12);
            if (count < 0 || count > RegionWriteMulti.MAX_DATA) {
                throw ProtocolException.invalid("REGION_WRITE_MULTI entry " + i + " count "
                        + Integer.toUnsignedString(count) + " exceeds " + RegionWriteMulti.MAX_DATA);
            }
            data.limit(at + RegionWriteMulti.DATA_OFFSET + count).position(at + RegionWriteMulti.DATA_OFFSET);
            device.writeRegion(region, offset, data);
        }
        replyBody.putLong(entries);
    }

    private MigrationCommands migration() {
        if (migrationCommands == null) {
            throw new ProtocolException(Errno.ENOTTY, "this device cannot migrate");
        }
        return migrationCommands;
    }

    private void deviceFeature() {
        DeviceFeature request = DeviceFeature.decode(payload);
        DeviceFeatureHandler handler = features.get(request.feature());
        if (handler == null) {
            throw new ProtocolException(Errno.ENOTTY, "DEVICE_FEATURE " + request.feature() + " is not offered by this device");
        }
        if ((request.get() && !handler.offersGet()) || (request.set() && !handler.offersSet())) {
            throw ProtocolException.invalid("DEVICE_FEATURE " + request.feature() + " does not offer "
                    + (request.get() && !handler.offersGet() ? "GET" : "SET"));
        }
        if (request.probe()) {
            replyBody.put(payload.duplicate());
            return;
        }
        ByteBuffer data = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        data.position(payload.position() + DeviceFeature.SIZE);
        if (request.get()) {
            replyBody.position(DeviceFeature.SIZE);
            handler.get().get(data, replyBody, request.argsz());
            replyBody.putInt(0, replyBody.position()).putInt(4, request.flags());
        } else {
            handler.set().set(data, replyBody);
            if (replyBody.position() == 0) {
                replyBody.put(payload.duplicate());
            }
        }
    }

    private void reset() {
        if (payload.remaining() != 0) {
            throw ProtocolException.invalid("DEVICE_RESET takes no payload, got " + payload.remaining() + " bytes");
        }
        device.reset();
        LOG.info("{}: device reset by the client", name);
    }

    private void checkCount(long count, String what) {
        if (count > limits.maxDataXferSize()) {
            throw ProtocolException.invalid(what + " count " + count + " exceeds max_data_xfer_size "
                    + limits.maxDataXferSize());
        }
    }

    private void sendReply(int msgId, int cmd) throws IOException {
        MigrationCommands.LentReply lent = cmd == Command.MIG_DATA_READ.code() && migrationCommands != null
                ? migrationCommands.takeLentReply(replyHeader) : null;
        if (lent != null) {
            MessageHeader.write(replyHeader, msgId, cmd, MessageHeader.SIZE + lent.bodySize(), MessageHeader.TYPE_REPLY, 0);
            if (observer != null) {   // observers read a MIG_DATA_READ reply's header fields, never its data
                observer.reply(replyHeader, replyBody, 0, System.nanoTime() - commandArrived);
            }
            socket.send(lent);
            return;
        }
        int bodySize = replyBody.remaining();
        MessageHeader.write(replyHeader, msgId, cmd, MessageHeader.SIZE + bodySize, MessageHeader.TYPE_REPLY, 0);
        if (observer != null) {
            observer.reply(replyHeader, bodySize == 0 ? null : replyBody, replyFdCount, System.nanoTime() - commandArrived);
        }
        messageFaults.send(replyHeader, bodySize == 0 ? null : replyBody, replyFds, replyFdCount);
        replyFdCount = 0;
    }

    private void refuse(int msgId, int cmd, boolean noReply, Errno errno, String why) throws IOException {
        errorsReplied++;
        if (noReply) {
            badMessages.report(MessageHeader.describe(header) + " (NO_REPLY, so no error reply) failed: " + why);
            if (observer != null) {
                observer.noReply(header, errno.code(), System.nanoTime() - commandArrived);
            }
            return;
        }
        badMessages.report(MessageHeader.describe(header) + " refused with " + errno + ": " + why);
        MessageHeader.write(replyHeader, msgId, cmd, MessageHeader.SIZE, MessageHeader.TYPE_REPLY | MessageHeader.ERROR,
                errno.code());
        if (observer != null) {
            observer.reply(replyHeader, null, 0, System.nanoTime() - commandArrived);
        }
        messageFaults.send(replyHeader, null, replyFds, 0);
    }

    private void release() {
        // first fail DMA that waits for this client, so a worker waiting for the device sees it finish
        MessageDma messages = messageDma;
        if (messages != null) {
            messages.close();
        }
        if (worker != null) {
            worker.close(WORKER_STOP_BOUND);
        }
        device.connectInterrupts(InterruptSink.NONE);
        device.connectDma(Dma.NONE);
        irqEventfds.releaseAll();
        dmaLogging.stop();
        int unmapped = dmaMaps.unmapAll();
        if (unmapped > 0) {
            LOG.info("{}: released {} DMA mappings of the departed client", name, unmapped);
        }
        fds.closeAll();
        if (spareFds != null) {
            spareFds.closeAll();
        }
    }

    /**
     * Whether this session's client has hung up (its socket says so), even if the session has not
     * read the end yet: the server admits the next client then instead of refusing it.
     */
    public boolean clientHungUp() {
        if (readingEnded) {
            return true;
        }
        try {
            return socket.peerHungUp();
        } catch (IOException e) {
            return true;
        }
    }

    /** Wakes the session's thread out of a blocking read so that {@link #serve} returns {@link Turn#ENDED}. */
    public void disconnect() {
        socket.shutdown();
    }

    @Override
    public void close() {
        socket.close();
    }

    public long messagesHandled() {
        return messagesHandled;
    }

    /** What the control socket's {@code status} shows of this connection (from any thread; a snapshot). */
    public Map<String, Object> status() {
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("name", name);
        Capabilities caps = clientCaps;
        s.put("negotiated", caps != null);
        if (caps != null) {
            Map<String, Object> c = new java.util.LinkedHashMap<>();
            c.put("maxMsgFds", caps.maxMsgFds());
            c.put("maxDataXferSize", caps.maxDataXferSize());
            c.put("maxDmaMaps", caps.maxDmaMaps());
            c.put("pgsizes", caps.pgsizes());
            c.put("writeMultiple", caps.writeMultiple());
            c.put("twinSocket", caps.twinSocket());
            MessageDma m = messageDma;
            if (m != null) {
                c.put("dmaLayout", m.layout().name());
            }
            s.put("clientCaps", c);
        }
        s.put("messagesHandled", messagesHandled);
        s.put("handOffs", handOffs);
        s.put("commandsOnWorker", commandsOnWorker);
        CommandWorker w = worker;
        s.put("workerBusy", w != null && w.busy());
        s.put("errorReplies", errorsReplied);
        s.put("dmaMappings", dmaMaps.describe());
        s.put("dmaFaults", dmaMaps.faults());
        s.put("dirtyLogging", dmaLogging.active());
        s.put("irqWiring", irqEventfds.describe());
        return s;
    }

    /** The wired eventfds, with every outcome told to the observer (trace, metrics) and the audit; either may be null. */
    private record ObservedInterrupts(InterruptSink wired, MessageObserver observer, AuditHook audit) implements InterruptSink {
        @Override
        public boolean signal(IrqType type, int vector) {
            boolean delivered = wired.signal(type, vector);
            if (observer != null) {
                observer.interrupt(type.name(), vector, delivered);
            }
            if (audit != null) {
                audit.interrupt(type, vector, delivered);
            }
            return delivered;
        }

        @Override
        public void held(IrqType type, int vector) {
            if (observer != null) {
                observer.interruptHeld(type.name(), vector);
            }
        }
    }
}
