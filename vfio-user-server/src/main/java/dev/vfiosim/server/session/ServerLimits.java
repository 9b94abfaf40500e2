package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.Capabilities;
import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.protocol.RegionAccess;
import java.util.OptionalLong;

/**
 * What this server accepts from a client, advertised in the VERSION reply and enforced on every
 * message.
 *
 * @param maxMsgFds most fds one incoming message may carry (QEMU refuses a value above 16)
 * @param maxDataXferSize largest data transfer in one message (QEMU needs at least 4096 to read the
 *     config space in one go, libvfio-user's client at least 12288)
 * @param dirtyPageSize page size of dirty tracking, advertised as {@code migration.pgsize}
 */
public record ServerLimits(int maxMsgFds, int maxDataXferSize, long dirtyPageSize) {
    public static final ServerLimits DEFAULT = new ServerLimits(16, 1 << 20, 4096);

    /** The largest message accepted: a header, the largest fixed struct and the data. */
    public long maxMessageSize() {
        return MessageHeader.SIZE + RegionAccess.SIZE + (long) maxDataXferSize;
    }

    public Capabilities offer() {
        return new Capabilities(maxMsgFds, maxDataXferSize, Capabilities.DEFAULT_MAX_DMA_MAPS,
                Capabilities.DEFAULT_PGSIZES, OptionalLong.of(dirtyPageSize), OptionalLong.empty(), false, true);
    }
}
