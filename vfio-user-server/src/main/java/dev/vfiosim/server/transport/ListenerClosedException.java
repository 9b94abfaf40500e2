package dev.vfiosim.server.transport;

/** accept() was called on, or was blocked in, a listener that has been closed. */
public final class ListenerClosedException extends TransportException {
    private static final long serialVersionUID = 1L;

    public ListenerClosedException(String message) {
        super(message);
    }
}
