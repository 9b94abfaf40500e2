package dev.vfiosim.server.transport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A filesystem path checked against {@code sun_path} and encoded as a {@code struct sockaddr_un}:
 *
 * <pre>
 * offset  size  field
 *   0     2     sa_family_t sun_family (AF_UNIX = 1)
 *   2     108   char sun_path[108], NUL-terminated
 * </pre>
 *
 * The kernel would accept exactly 108 path bytes without a NUL, but libc callers and tools expect the
 * NUL, so the limit here is 107 bytes. Checked up front because the kernel's answer (EINVAL) does not
 * say what is wrong.
 */
final class UnixSocketPath {
    static final int MAX_PATH_BYTES = 107;
    private static final int SUN_PATH = 2;
    private static final int SOCKADDR_UN = 110;

    final Path path;
    private final byte[] bytes;

    private UnixSocketPath(Path path, byte[] bytes) {
        this.path = path;
        this.bytes = bytes;
    }

    /** Bytes {@code path} takes in sun_path, without the NUL. */
    static int byteLength(Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    static UnixSocketPath of(Path path) throws TransportException {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) {
            throw new TransportException("empty UNIX socket path");
        }
        if (bytes.length > MAX_PATH_BYTES) {
            throw new TransportException("UNIX socket path is " + bytes.length + " bytes, over the limit of "
                    + MAX_PATH_BYTES + " bytes (sun_path holds 108 including the terminating NUL): " + path);
        }
        return new UnixSocketPath(path, bytes);
    }

    /** A freshly encoded sockaddr_un; callers free it. */
    NativeBlock encode() {
        NativeBlock block = new NativeBlock(SOCKADDR_UN);
        block.bytes.putShort(0, (short) UnixSocket.AF_UNIX);
        block.bytes.put(SUN_PATH, bytes);
        return block;
    }

    /** addrlen to pass along with {@link #encode()}: family, path and its NUL. */
    int addressLength() {
        return SUN_PATH + bytes.length + 1;
    }
}
