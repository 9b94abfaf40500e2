package dev.vfiosim.server.transport;

/**
 * The peer took too little of a message for longer than the socket's send timeout: its receive
 * queue stayed full (it stopped reading, or reads slower than the bound allows). Part of the
 * message may be on the stream, so the framing is lost and the connection has to end.
 */
public final class SendTimeoutException extends TransportException {
    private static final long serialVersionUID = 1L;

    public SendTimeoutException(String message, int errno) {
        super(message, errno);
    }
}
