package dev.vfiosim.simulator.device.engine;

/**
 * The commands the function executes, with mlx5's opcode numbers and the input and output bytes
 * each needs at least (mlx5_ifc's *_in / *_out sizes; a command with less gets BAD_INPUT_LEN /
 * BAD_OUTPUT_LEN). Field layouts: docs/device.md, "Command set". The loopback queue commands
 * (CREATE/DESTROY_CQ/SQ/RQ, QUERY_VPORT_COUNTER) carry this model's own body ({@link QueueCreateInput},
 * {@link CounterQuery}) after the 16-byte mlx5 header; every other command is mlx5's layout.
 */
public enum CommandOpcode {
    QUERY_HCA_CAP(0x100, 0x08, 0x10 + GeneralCapabilities.SIZE),
    QUERY_ADAPTER(0x101, 0x08, 0x08),
    INIT_HCA(0x102, 0x08, 0x08),
    TEARDOWN_HCA(0x103, 0x08, 0x08),
    ENABLE_HCA(0x104, 0x08, 0x08),
    DISABLE_HCA(0x105, 0x08, 0x08),
    QUERY_PAGES(0x107, 0x08, 0x10),
    MANAGE_PAGES(0x108, 0x10, 0x10),
    SET_HCA_CAP(0x109, 0x10 + GeneralCapabilities.SIZE, 0x08),
    QUERY_ISSI(0x10a, 0x08, 0x70),
    SET_ISSI(0x10b, 0x0c, 0x08),
    SET_DRIVER_VERSION(0x10d, 0x08, 0x08),
    CREATE_MKEY(0x200, 0x08, 0x0c),
    DESTROY_MKEY(0x202, 0x0c, 0x08),
    QUERY_SPECIAL_CONTEXTS(0x203, 0x08, 0x10),
    CREATE_EQ(0x301, EqContext.PAS, 0x0c),
    DESTROY_EQ(0x302, 0x0c, 0x08),
    CREATE_CQ(0x400, QueueCreateInput.BODY + QueueCreateInput.SIZE, 0x0c),
    DESTROY_CQ(0x401, 0x0c, 0x08),
    QUERY_VPORT_STATE(0x750, 0x08, 0x10),
    MODIFY_VPORT_STATE(0x751, 0x08, 0x08),
    QUERY_NIC_VPORT_CONTEXT(0x754, 0x08, 0x08),
    MODIFY_NIC_VPORT_CONTEXT(0x755, 0x08, 0x08),
    QUERY_VPORT_COUNTER(0x770, CounterQuery.BODY + CounterQuery.SIZE, CounterQuery.BODY + QueueCounters.SIZE),
    ALLOC_Q_COUNTER(0x771, 0x08, 0x0c),
    DEALLOC_Q_COUNTER(0x772, 0x0c, 0x08),
    ALLOC_PD(0x800, 0x08, 0x0c),
    DEALLOC_PD(0x801, 0x0c, 0x08),
    ALLOC_UAR(0x802, 0x08, 0x0c),
    DEALLOC_UAR(0x803, 0x0c, 0x08),
    ALLOC_TRANSPORT_DOMAIN(0x816, 0x08, 0x0c),
    DEALLOC_TRANSPORT_DOMAIN(0x817, 0x0c, 0x08),
    CREATE_SQ(0x904, QueueCreateInput.BODY + QueueCreateInput.SIZE, 0x0c),
    DESTROY_SQ(0x906, 0x0c, 0x08),
    CREATE_RQ(0x908, QueueCreateInput.BODY + QueueCreateInput.SIZE, 0x0c),
    DESTROY_RQ(0x90a, 0x0c, 0x08);

    /** Where create commands return, and destroy/dealloc commands take, an object number (bits 23:0 of a BE32). */
    public static final int OBJECT_NUMBER = 0x08;
    public static final int OBJECT_MASK = 0xFF_FFFF;

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
