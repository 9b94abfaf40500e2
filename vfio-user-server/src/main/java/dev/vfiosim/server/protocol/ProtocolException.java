package dev.vfiosim.server.protocol;

import dev.vfiosim.simulator.Errno;

/** A request that breaks the vfio-user protocol; the client gets {@link #errno()} in an error reply. */
public class ProtocolException extends RuntimeException {
    private final Errno errno;

    public ProtocolException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    @Override
    public String getMessage() {
        return errno + ": " + super.getMessage();
    }

    /** EINVAL, the errno for nearly every malformed request. */
    public static ProtocolException invalid(String message) {
        return new ProtocolException(Errno.EINVAL, message);
    }
}
