package dev.vfiosim.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.server.session.ServerLimits;
import dev.vfiosim.simulator.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionNegotiationTest {
    /** What QEMU's vfio-user client proposes (protocol reference §2.3). */
    static final String QEMU_CAPS = "{\"capabilities\":{\"migration\":{\"pgsize\":4096,\"max_bitmap_size\":268435456},"
            + "\"max_msg_fds\":16,\"max_data_xfer_size\":1048576,\"pgsizes\":4096,\"max_dma_maps\":65535,"
            + "\"write_multiple\":true}}";
    static final String LIBVFIO_USER_CAPS = "{\"capabilities\":{\"max_msg_fds\":32,\"max_data_xfer_size\":1024}}";

    private final VersionNegotiation negotiation = new VersionNegotiation(2, ServerLimits.DEFAULT.offer());

    @Test
    void qemuGetsMinorZeroAndAReplyNoLargerThanItsRequest() {
        VersionMessage request = new VersionMessage(0, 0, Optional.of(QEMU_CAPS));
        VersionMessage reply = negotiation.negotiate(request).reply();
        assertEquals(0, reply.major());
        assertEquals(0, reply.minor());
        assertTrue(reply.encodedSize() <= request.encodedSize(), "reply " + reply.encodedSize() + " > request");
        Capabilities granted = reply.capabilities();
        assertEquals(16, granted.maxMsgFds());
        assertEquals(1 << 20, granted.maxDataXferSize());
        assertEquals(4096, granted.migrationPgsize().getAsLong());
        assertTrue(granted.writeMultiple(), "QEMU offered write_multiple and we implement it");
        assertFalse(granted.twinSocket());
    }

    @Test
    void libvfioUserClientGetsMinorTwoAndNoUnrequestedKeys() {
        VersionNegotiation.Agreement a = negotiation.negotiate(new VersionMessage(0, 2, Optional.of(LIBVFIO_USER_CAPS)));
        assertEquals(2, a.reply().minor());
        assertEquals(1024, a.client().maxDataXferSize());
        assertEquals(32, a.client().maxMsgFds());
        String json = a.reply().json().orElseThrow();
        assertFalse(json.contains("twin_socket"), json);
        assertFalse(json.contains("write_multiple"), "not offered by the client: " + json);
    }

    @Test
    void aHigherClientMinorIsAnsweredWithOurs() {
        assertEquals(2, negotiation.negotiate(new VersionMessage(0, 7, Optional.empty())).reply().minor());
    }

    @Test
    void unknownKeysAreTolerated() {
        String json = "{\"capabilities\":{\"max_msg_fds\":4,\"future_thing\":{\"x\":[1,2]}},\"other\":true}";
        assertEquals(4, negotiation.negotiate(new VersionMessage(0, 0, Optional.of(json))).client().maxMsgFds());
    }

    @Test
    void malformedJsonAndWrongTypesAreEinval() {
        for (String bad : new String[] {"{\"capabilities\":", "[1,2]", "{\"capabilities\":{\"max_msg_fds\":\"8\"}}",
                "{\"capabilities\":{\"max_msg_fds\":-1}}", "{\"capabilities\":{\"write_multiple\":1}}",
                "{\"capabilities\":{\"migration\":5}}", "{\"capabilities\":7}"}) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> negotiation.negotiate(new VersionMessage(0, 0, Optional.of(bad))), bad);
            assertEquals(Errno.EINVAL, e.errno(), bad);
        }
    }

    @Test
    void wrongMajorAndMismatchedPageSizeAreRefused() {
        assertThrows(ProtocolException.class, () -> negotiation.negotiate(new VersionMessage(1, 0, Optional.empty())));
        String pg = "{\"capabilities\":{\"migration\":{\"pgsize\":8192}}}";
        assertThrows(ProtocolException.class, () -> negotiation.negotiate(new VersionMessage(0, 0, Optional.of(pg))));
        String fds = "{\"capabilities\":{\"max_msg_fds\":5000}}";
        assertThrows(ProtocolException.class, () -> negotiation.negotiate(new VersionMessage(0, 0, Optional.of(fds))));
    }

    @Test
    void decodeRequiresTheNulTerminator() {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer p = ByteBuffer.allocate(4 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        p.putShort((short) 0).putShort((short) 0).put(json).flip();
        assertThrows(ProtocolException.class, () -> VersionMessage.decode(p));
        ByteBuffer ok = ByteBuffer.allocate(5 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        ok.putShort((short) 0).putShort((short) 2).put(json).put((byte) 0).flip();
        VersionMessage m = VersionMessage.decode(ok);
        assertEquals(2, m.minor());
        assertEquals("{}", m.json().orElseThrow());
        ByteBuffer out = ByteBuffer.allocate(m.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
        m.encode(out);
        assertEquals(ok, out.flip());
    }
}
