package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Capabilities;
import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DmaMap;
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
import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.server.transport.PeerClosedException;
import dev.vfiosim.server.transport.ReceivedFds;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected client: reads its commands in order, checks them against what was negotiated,
 * hands them to the device and answers each one (unless it asked for no reply). A bad request gets
 * an error reply with a precise errno and a log line; the connection goes on, because framing is
 * always recovered from {@code msg_size}. Only the peer going away ends a session.
 */
public final class Session implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final MessageSocket socket;
    private final VfioDevice device;
    private final ServerLimits limits;
    private final VersionNegotiation negotiation;
    private final IrqEventfds irqEventfds;
    private final DmaMapTable dmaMaps;
    private final DmaLogging dmaLogging;
    private final Map<Integer, DeviceFeatureHandler> features = new HashMap<>();
    private final MigrationCommands migrationCommands;
    private final IrqRestorePolicy irqRestore;
    private final MessageFaults messageFaults;
    private final String name;

    private final ByteBuffer header = direct(MessageHeader.SIZE);
    private final ByteBuffer payload;
    private final ByteBuffer replyHeader = direct(MessageHeader.SIZE);
    private final ByteBuffer replyBody;
    private final ReceivedFds fds;
    private final int[] replyFds = new int[1];
    private int replyFdCount;

    private boolean negotiated;
    private volatile MessageDma messageDma;
    private long messagesHandled;
    private long errorsReplied;

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
        this.irqRestore = irqRestore;
        this.messageFaults = new MessageFaults(faults, socket, name);
        this.socket = socket;
        this.device = device;
        this.limits = limits;
        this.name = name;
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
        features.put(DeviceFeature.DMA_LOGGING_START, DeviceFeatureHandler.setOnly(dmaLogging::start));
        features.put(DeviceFeature.DMA_LOGGING_STOP, DeviceFeatureHandler.setOnly(dmaLogging::stop));
        features.put(DeviceFeature.DMA_LOGGING_REPORT, DeviceFeatureHandler.getOnly(dmaLogging::report));
        VfioMigration migration = device.migration();
        this.migrationCommands = migration == null ? null : new MigrationCommands(migration, name);
        if (migrationCommands != null) {
            migrationCommands.register(features);
        }
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Serves the client until it disconnects; releases every fd it gave us on the way out. */
    public void run() {
        device.connectInterrupts(irqEventfds);
        device.connectDma(dmaMaps);
        try {
            while (serveOne()) {
                messagesHandled++;
            }
            LOG.info("{}: client disconnected after {} messages ({} error replies)", name, messagesHandled, errorsReplied);
        } catch (MessageFaults.ConnectionClosedByFault e) {
            LOG.info("{}: connection {} after {} messages", name, e.getMessage(), messagesHandled);
        } catch (PeerClosedException e) {
            LOG.info("{}: client went away mid-message after {} messages: {}", name, messagesHandled, e.getMessage());
        } catch (IOException e) {
            LOG.warn("{}: connection failed after {} messages: {}", name, messagesHandled, e.getMessage());
        } finally {
            release();
        }
    }

    /** Reads, handles and answers one message. Returns false on a clean end of the connection. */
    private boolean serveOne() throws IOException {
        header.clear();
        if (!socket.receive(header, fds)) {
            return false;
        }
        header.flip();
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: <- {} fds={}", name, MessageHeader.describe(header), fds.count());
        }
        int msgId = MessageHeader.msgId(header);
        int cmd = MessageHeader.command(header);
        long size = MessageHeader.messageSize(header);
        boolean noReply = MessageHeader.isNoReply(header);
        try {
            receivePayload(size);
            if (MessageHeader.type(header) == MessageHeader.TYPE_REPLY) {
                replyToUs(msgId, cmd);
                return true;
            }
            Errno injected = messageFaults.beforeCommand(cmd, noReply, payload);
            if (injected != null) {
                refuse(msgId, cmd, noReply, injected, "injected by the fault plan");
                return true;
            }
            handle(cmd, size);
            if (!noReply) {
                sendReply(msgId, cmd);
            }
        } catch (DeviceException e) {
            refuse(msgId, cmd, noReply, e.errno(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{}: internal error handling {}", name, MessageHeader.describe(header), e);
            refuse(msgId, cmd, noReply, Errno.EIO, "internal error: " + e);
        } finally {
            // reply fds are borrowed from the device's shared memory and stay open; received ones not taken are closed
            replyFdCount = 0;
            fds.closeAll();
        }
        return true;
    }

    /**
     * Reads the rest of the message whatever its header says, so that the next message starts where
     * it should; then rejects headers that make no sense.
     */
    private void receivePayload(long size) throws IOException {
        payload.clear();
        if (size < MessageHeader.SIZE) {
            payload.limit(0);
            throw ProtocolException.invalid("msg_size " + size + " is smaller than the 16-byte header");
        }
        long bodySize = size - MessageHeader.SIZE;
        if (size > limits.maxMessageSize()) {
            discard(bodySize);
            throw ProtocolException.invalid("msg_size " + size + " exceeds the largest accepted message ("
                    + limits.maxMessageSize() + " bytes)");
        }
        payload.limit((int) bodySize);
        if (bodySize > 0) {
            socket.receive(payload, fds);
        }
        payload.flip();
        if (fds.truncated()) {
            throw ProtocolException.invalid("message carried more than " + limits.maxMsgFds()
                    + " fds (the negotiated max_msg_fds); the kernel dropped the rest");
        }
        int type = MessageHeader.type(header);
        if (type != MessageHeader.TYPE_COMMAND && type != MessageHeader.TYPE_REPLY) {
            throw ProtocolException.invalid("message type " + type + " is neither a command nor a reply (flags 0x"
                    + Integer.toHexString(MessageHeader.flags(header)) + ")");
        }
        int allowed = MessageHeader.TYPE_MASK | (type == MessageHeader.TYPE_REPLY ? MessageHeader.ERROR : MessageHeader.NO_REPLY);
        int reserved = MessageHeader.flags(header) & ~allowed;
        if (reserved != 0) {
            throw ProtocolException.invalid("reserved header flag bits 0x" + Integer.toHexString(reserved) + " are set");
        }
    }

    /** A reply from the client: only our DMA requests get replies; anything else is logged and dropped. */
    private void replyToUs(int msgId, int cmd) {
        MessageDma messages = messageDma;
        if (fds.count() != 0) {
            LOG.warn("{}: reply {} carried {} fds; closed", name, MessageHeader.describe(header), fds.count());
        }
        if (messages == null || !messages.replyArrived(msgId, cmd, MessageHeader.errorNo(header), MessageHeader.isError(header),
                payload)) {
            LOG.warn("{}: unexpected reply {} (no request of ours is waiting for it); dropped", name,
                    MessageHeader.describe(header));
        }
    }

    private void discard(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            payload.clear().limit((int) Math.min(left, payload.capacity()));
            left -= payload.limit();
            socket.receive(payload, fds);
        }
        payload.clear().limit(0);
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
            case MIG_DATA_READ -> migration().read(payload, replyBody, limits.maxDataXferSize());
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
        VersionNegotiation.Agreement agreement = negotiation.negotiate(VersionMessage.decode(payload));
        VersionMessage reply = agreement.reply();
        if (reply.encodedSize() > payload.remaining() && payload.remaining() > VersionMessage.FIXED_SIZE) {
            LOG.debug("{}: VERSION reply ({} bytes) is larger than the request ({} bytes)", name,
                    reply.encodedSize(), payload.remaining());
        }
        reply.encode(replyBody);
        negotiated = true;
        int chunk = (int) Math.min(agreement.client().maxDataXferSize(), limits.maxDataXferSize());
        messageDma = new MessageDma(socket, chunk);
        dmaMaps.useMessages(messageDma);
        LOG.info("{}: negotiated vfio-user {}.{}; client caps {}", name, reply.major(), reply.minor(), agreement.client());
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
        int bodySize = replyBody.remaining();
        MessageHeader.write(replyHeader, msgId, cmd, MessageHeader.SIZE + bodySize, MessageHeader.TYPE_REPLY, 0);
        messageFaults.send(replyHeader, bodySize == 0 ? null : replyBody, replyFds, replyFdCount);
        replyFdCount = 0;
    }

    private void refuse(int msgId, int cmd, boolean noReply, Errno errno, String why) throws IOException {
        errorsReplied++;
        if (noReply) {
            LOG.warn("{}: {} (NO_REPLY, so no error reply) failed: {}", name, MessageHeader.describe(header), why);
            return;
        }
        LOG.warn("{}: {} refused with {}: {}", name, MessageHeader.describe(header), errno, why);
        MessageHeader.write(replyHeader, msgId, cmd, MessageHeader.SIZE, MessageHeader.TYPE_REPLY | MessageHeader.ERROR,
                errno.code());
        messageFaults.send(replyHeader, null, replyFds, 0);
    }

    private void release() {
        device.connectInterrupts(InterruptSink.NONE);
        device.connectDma(Dma.NONE);
        irqEventfds.releaseAll();
        dmaLogging.stop();
        MessageDma messages = messageDma;
        if (messages != null) {
            messages.close();
        }
        int unmapped = dmaMaps.unmapAll();
        if (unmapped > 0) {
            LOG.info("{}: released {} DMA mappings of the departed client", name, unmapped);
        }
        fds.closeAll();
    }

    /** Wakes the session's thread out of a blocking read so that {@link #run()} returns. */
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
}
