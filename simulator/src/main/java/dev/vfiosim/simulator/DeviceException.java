package dev.vfiosim.simulator;

/**
 * A request the device refuses. Carries the errno the client must see; the message says precisely
 * what was wrong so that the server can log it.
 */
public class DeviceException extends RuntimeException {
    private final Errno errno;

    public DeviceException(Errno errno, String message) {
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
}
