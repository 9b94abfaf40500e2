package dev.vfiosim.server.transport;

import java.io.IOException;

/** A socket or fd operation failed; {@link #errno()} is the libc errno, or 0 when none applies. */
public class TransportException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public TransportException(String message) {
        this(message, 0);
    }

    public TransportException(String message, int errno) {
        super(errno == 0 ? message : message + ": " + Native.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
