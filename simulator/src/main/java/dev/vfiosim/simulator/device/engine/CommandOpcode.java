package dev.vfiosim.simulator.device.engine;

/**
 * The commands the function executes, with mlx5's opcode numbers and the input and output bytes
 * each needs at least (a command entry declaring fewer gets BAD_INPUT_LEN / BAD_OUTPUT_LEN).
 * Input and output layouts: {@link QueueCreateInput}, {@link CounterQuery}, {@link QueueCounters},
 * {@link HcaCapabilities}; destroy commands take, and create commands return, a u32 queue number
 * at offset 0 ({@link #QUEUE_NUMBER}).
 */
public enum CommandOpcode {
    QUERY_HCA_CAP(0x100, 0, HcaCapabilities.SIZE),
    INIT_HCA(0x102, 0, 0),
    TEARDOWN_HCA(0x103, 0, 0),
    ENABLE_HCA(0x104, 0, 0),
    CREATE_EQ(0x301, QueueCreateInput.SIZE, Integer.BYTES),
    DESTROY_EQ(0x302, Integer.BYTES, 0),
    CREATE_CQ(0x400, QueueCreateInput.SIZE, Integer.BYTES),
    DESTROY_CQ(0x401, Integer.BYTES, 0),
    CREATE_SQ(0x904, QueueCreateInput.SIZE, Integer.BYTES),
    DESTROY_SQ(0x906, Integer.BYTES, 0),
    CREATE_RQ(0x908, QueueCreateInput.SIZE, Integer.BYTES),
    DESTROY_RQ(0x90a, Integer.BYTES, 0),
    QUERY_VPORT_COUNTER(0x770, CounterQuery.SIZE, QueueCounters.SIZE);

    /** Offset of the queue number in a destroy command's input and a create command's output. */
    public static final int QUEUE_NUMBER = 0x00;

    private final int code;
    private final int inputLength;
    private final int outputLength;

    CommandOpcode(int code, int inputLength, int outputLength) {
        this.code = code;
        this.inputLength = inputLength;
        this.outputLength = outputLength;
    }

    public int code() {
        return code;
    }

    public int inputLength() {
        return inputLength;
    }

    public int outputLength() {
        return outputLength;
    }

    /** The opcode with this number, or null (the device answers BAD_OP). */
    public static CommandOpcode of(int code) {
        for (CommandOpcode op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        return null;
    }
}
