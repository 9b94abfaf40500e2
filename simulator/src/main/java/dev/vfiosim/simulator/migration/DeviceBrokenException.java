package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;

/**
 * An arc failed and left the device in no state it can name (uAPI: "the driver cannot restore any
 * valid state"). The state machine answers with ERROR, which only a reset leaves. An ordinary
 * {@link DeviceException} from an arc means the device is still in the arc's start state.
 */
public class DeviceBrokenException extends DeviceException {
    public DeviceBrokenException(Errno errno, String message) {
        super(errno, message);
    }
}
