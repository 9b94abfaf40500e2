package dev.vfiosim.server.transport;

/**
 * No data arrived within the socket's receive timeout (recvmsg returned EAGAIN). Bytes that did arrive
 * before the timeout are already in the buffer (its position says how many), so the stream framing may
 * be broken if this happened mid-message.
 */
public final class ReceiveTimeoutException extends TransportException {
    private static final long serialVersionUID = 1L;

    public ReceiveTimeoutException(String message, int errno) {
        super(message, errno);
    }
}
