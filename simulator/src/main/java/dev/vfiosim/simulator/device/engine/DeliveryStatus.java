package dev.vfiosim.simulator.device.engine;

/**
 * Whether the device could take a command entry at all (bits 7:1 of status_own; mlx5's
 * MLX5_CMD_DELIVERY_STAT_*). Anything but OK means the command did not run and its output is not
 * valid; the command's own status ({@link CommandStatus}) is in its output.
 */
public enum DeliveryStatus {
    OK(0x00),
    SIGNATURE_ERROR(0x01),
    TOKEN_ERROR(0x02),
    BAD_BLOCK_NUMBER(0x03),
    OUTPUT_POINTER_ALIGNMENT(0x04),
    INPUT_POINTER_ALIGNMENT(0x05),
    FIRMWARE_ERROR(0x06),
    INPUT_LENGTH_ERROR(0x07),
    OUTPUT_LENGTH_ERROR(0x08),
    RESERVED_NOT_CLEARED(0x09),
    DESCRIPTOR_ERROR(0x10);

    private final int code;

    DeliveryStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The status with this code, or null. */
    public static DeliveryStatus of(int code) {
        for (DeliveryStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
