package dev.vfiosim.server.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.server.transport.MessageSocket;
import dev.vfiosim.simulator.fault.FaultInjector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The control socket through a real socket: several clients at once, and an idle one is dropped. */
class FaultControlSocketTest {
    private static final Duration IDLE = Duration.ofMillis(300);
    private final FaultInjector faults = new FaultInjector(FaultPlanParser.parse("""
            {"rules": [{"id": "eio", "where": {"command": "REGION_READ"}, "what": {"replyErrno": "EIO"}}]}""",
            "plan.json"));
    private Path dir;
    private Path path;

    @BeforeEach
    void makeDirectory() throws IOException {
        dir = Files.createTempDirectory("vfc");
        path = dir.resolve("control.sock");
    }

    @AfterEach
    void removeDirectory() throws IOException {
        Files.deleteIfExists(path);
        Files.deleteIfExists(dir);
    }

    /** Sends {@code line} and reads the reply up to its terminating empty line. */
    private static String ask(MessageSocket c, String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        c.send(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(), null, new int[0], 0);
        StringBuilder reply = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        while (!reply.toString().endsWith("\n\n")) {
            one.clear();
            if (!c.receive(one, null)) {
                break;
            }
            reply.append((char) one.get(0));
        }
        return reply.toString();
    }

    @Test
    void anIdleClientBlocksNobodyAndIsDroppedAfterTheTimeout() throws Exception {
        try (FaultControlSocket control = FaultControlSocket.open(path, faults, IDLE)) {
            assertEquals(PosixFilePermissions.fromString("rw-------"),
                    Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
            try (MessageSocket idle = MessageSocket.connect(path, 0)) {
                long start = System.nanoTime();
                try (MessageSocket busy = MessageSocket.connect(path, 0)) {
                    assertTrue(ask(busy, "disarm eio").startsWith("ok"), "served while another client sits idle");
                    assertTrue(ask(busy, "list").contains("eio disarmed"));
                }
                assertTrue(idle.awaitReadable(IDLE.plusSeconds(2)), "the idle client hears the hang-up");
                assertFalse(idle.receive(ByteBuffer.allocateDirect(1), null), "end of stream");
                long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertTrue(took >= IDLE.toMillis() - 50, "dropped only after the idle timeout: " + took + " ms");
            }
            try (MessageSocket fresh = MessageSocket.connect(path, 0)) {
                assertTrue(ask(fresh, "arm eio").startsWith("ok"), "a fresh client is served afterwards");
            }
            assertEquals(3, control.clientsServed());
        }
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "closing removes the socket file");
    }
}
