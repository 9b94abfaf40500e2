package dev.vfiosim.server.transport;

/** The peer is gone: EOF in the middle of a buffer, ECONNRESET, or EPIPE on send. */
public final class PeerClosedException extends TransportException {
    private static final long serialVersionUID = 1L;

    public PeerClosedException(String message) {
        super(message);
    }

    public PeerClosedException(String message, int errno) {
        super(message, errno);
    }
}
