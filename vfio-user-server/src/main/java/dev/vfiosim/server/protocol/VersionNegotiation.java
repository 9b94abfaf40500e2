package dev.vfiosim.server.protocol;

import dev.vfiosim.simulator.Errno;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The server's side of VERSION (protocol reference §2.4): accept major 0 only, answer the lower of
 * the two minors, and reply with a NUL-terminated JSON object that never names a capability the
 * server would not honour. QEMU proposes 0.0 and rejects any higher minor; libvfio-user's client
 * proposes 0.2.
 *
 * @param serverMinor the highest minor version this server speaks
 * @param offer what this server accepts: the fds it can receive per message, the data size it can
 *     take, its dirty page size
 */
public record VersionNegotiation(int serverMinor, Capabilities offer) {
    public static final int MAJOR = 0;
    public static final int MINOR = 2;
    /** libvfio-user accepts a client's max_msg_fds up to this; more is nonsense. */
    public static final long CLIENT_MAX_MSG_FDS_LIMIT = 1024;

    /** The outcome: what to send back and what the client said it can take. */
    public record Agreement(VersionMessage reply, Capabilities client) {
    }

    public Agreement negotiate(VersionMessage request) {
        if (request.major() != MAJOR) {
            throw ProtocolException.invalid("client proposes major version " + request.major()
                    + ", this server speaks only " + MAJOR);
        }
        Capabilities client = request.capabilities();
        if (client.maxMsgFds() > CLIENT_MAX_MSG_FDS_LIMIT) {
            throw ProtocolException.invalid("client max_msg_fds " + client.maxMsgFds() + " exceeds "
                    + CLIENT_MAX_MSG_FDS_LIMIT);
        }
        if (client.maxDataXferSize() == 0) {
            throw ProtocolException.invalid("client max_data_xfer_size must not be 0");
        }
        if (client.pgsizes() % 4096 != 0 || client.pgsizes() == 0) {
            throw ProtocolException.invalid("client pgsizes 0x" + Long.toHexString(client.pgsizes())
                    + " is not a multiple of 4096");
        }
        OptionalLong ourPage = offer.migrationPgsize();
        if (client.migrationPgsize().isPresent() && ourPage.isPresent()
                && client.migrationPgsize().getAsLong() != ourPage.getAsLong()) {
            throw new ProtocolException(Errno.EINVAL, "client migration.pgsize " + client.migrationPgsize().getAsLong()
                    + " differs from the device's dirty page size " + ourPage.getAsLong());
        }
        Capabilities granted = new Capabilities(
                offer.maxMsgFds(),
                offer.maxDataXferSize(),
                offer.maxDmaMaps(),
                offer.pgsizes(),
                ourPage,
                OptionalLong.empty(),
                false,
                offer.writeMultiple() && client.writeMultiple());
        int minor = Math.min(request.minor(), serverMinor);
        return new Agreement(new VersionMessage(MAJOR, minor, Optional.of(granted.toJson())), client);
    }
}
