package dev.vfiosim.server.protocol;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;

/**
 * A request that breaks the vfio-user protocol. It is a {@link DeviceException} so that the session
 * answers every refusal, the codec's or the device's, the same way: an error reply with its errno.
 */
public class ProtocolException extends DeviceException {
    public ProtocolException(Errno errno, String message) {
        super(errno, message);
    }

    /** EINVAL, the errno for nearly every malformed request. */
    public static ProtocolException invalid(String message) {
        return new ProtocolException(Errno.EINVAL, message);
    }
}
