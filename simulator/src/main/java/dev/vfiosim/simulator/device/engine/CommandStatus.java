package dev.vfiosim.simulator.device.engine;

/** The status byte a command entry carries back: mlx5's MLX5_CMD_STAT_* values. */
public enum CommandStatus {
    OK(0x00),
    INTERNAL_ERROR(0x01),
    BAD_OP(0x02),
    BAD_PARAM(0x03),
    BAD_SYS_STATE(0x04),
    BAD_RESOURCE(0x05),
    RESOURCE_BUSY(0x06),
    EXCEED_LIM(0x08),
    BAD_RES_STATE(0x09),
    BAD_INDEX(0x0a),
    NO_RESOURCES(0x0f),
    BAD_INPUT_LEN(0x50),
    BAD_OUTPUT_LEN(0x51);

    private final int code;

    CommandStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The status with this code, or null for a code this device never writes. */
    public static CommandStatus of(int code) {
        for (CommandStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
