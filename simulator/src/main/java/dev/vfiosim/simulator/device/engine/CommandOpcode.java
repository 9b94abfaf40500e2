package dev.vfiosim.simulator.device.engine;

/**
 * The commands the function executes, with mlx5's opcode numbers and the input and output bytes
 * each needs at least (mlx5_ifc's *_in / *_out sizes; a command with less gets BAD_INPUT_LEN /
 * BAD_OUTPUT_LEN). Field layouts: docs/device.md, "Command set". The loopback queue commands
 * (CREATE/DESTROY_CQ/SQ/RQ, QUERY_VPORT_COUNTER) carry this model's own body ({@link QueueCreateInput},
 * {@link CounterQuery}) after the 16-byte mlx5 header, unless the function has the Ethernet capabilities
 * ({@link EthernetFirmware}); every other command is mlx5's layout.
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
    MODIFY_CQ(0x403, 0x10, 0x08, true),
    QUERY_VPORT_STATE(0x750, 0x08, 0x10),
    MODIFY_VPORT_STATE(0x751, 0x08, 0x08),
    QUERY_NIC_VPORT_CONTEXT(0x754, 0x08, 0x08),
    MODIFY_NIC_VPORT_CONTEXT(0x755, 0x08, 0x08),
    QUERY_VPORT_COUNTER(0x770, CounterQuery.BODY + CounterQuery.SIZE, CounterQuery.BODY + QueueCounters.SIZE),
    ALLOC_Q_COUNTER(0x771, 0x08, 0x0c),
    DEALLOC_Q_COUNTER(0x772, 0x0c, 0x08),
    QUERY_Q_COUNTER(0x773, 0x20, 0x10, true),
    ALLOC_PD(0x800, 0x08, 0x0c),
    DEALLOC_PD(0x801, 0x0c, 0x08),
    ALLOC_UAR(0x802, 0x08, 0x0c),
    DEALLOC_UAR(0x803, 0x0c, 0x08),
    ACCESS_REG(0x805, 0x10, 0x10, true),
    ALLOC_TRANSPORT_DOMAIN(0x816, 0x08, 0x0c),
    DEALLOC_TRANSPORT_DOMAIN(0x817, 0x0c, 0x08),
    CREATE_TIR(0x900, 0x10, 0x0c, true),
    MODIFY_TIR(0x901, 0x10, 0x08, true),
    DESTROY_TIR(0x902, 0x0c, 0x08, true),
    CREATE_SQ(0x904, QueueCreateInput.BODY + QueueCreateInput.SIZE, 0x0c),
    MODIFY_SQ(0x905, 0x10, 0x08, true),
    DESTROY_SQ(0x906, 0x0c, 0x08),
    CREATE_RQ(0x908, QueueCreateInput.BODY + QueueCreateInput.SIZE, 0x0c),
    MODIFY_RQ(0x909, 0x10, 0x08, true),
    DESTROY_RQ(0x90a, 0x0c, 0x08),
    CREATE_TIS(0x912, 0x10, 0x0c, true),
    MODIFY_TIS(0x913, 0x10, 0x08, true),
    DESTROY_TIS(0x914, 0x0c, 0x08, true),
    CREATE_RQT(0x916, 0x10, 0x0c, true),
    MODIFY_RQT(0x917, 0x10, 0x08, true),
    DESTROY_RQT(0x918, 0x0c, 0x08, true),
    SET_FLOW_TABLE_ROOT(0x92f, 0x18, 0x08, true),
    CREATE_FLOW_TABLE(0x930, 0x18, 0x0c, true),
    DESTROY_FLOW_TABLE(0x931, 0x18, 0x08, true),
    CREATE_FLOW_GROUP(0x933, 0x18, 0x0c, true),
    DESTROY_FLOW_GROUP(0x934, 0x1c, 0x08, true),
    SET_FLOW_TABLE_ENTRY(0x936, 0x24, 0x08, true),
    DELETE_FLOW_TABLE_ENTRY(0x938, 0x24, 0x08, true),
    ALLOC_FLOW_COUNTER(0x939, 0x10, 0x0c, true),
    DEALLOC_FLOW_COUNTER(0x93a, 0x0c, 0x08, true),
    QUERY_FLOW_COUNTER(0x93b, 0x20, 0x10, true),
    MODIFY_FLOW_TABLE(0x93c, 0x18, 0x08, true);

    /** Where create commands return, and destroy/dealloc commands take, an object number (bits 23:0 of a BE32). */
    public static final int OBJECT_NUMBER = 0x08;
    public static final int OBJECT_MASK = 0xFF_FFFF;

    private final int code;
    private final int inputLength;
    private final int outputLength;
    private final boolean ethernet;

    CommandOpcode(int code, int inputLength, int outputLength) {
        this(code, inputLength, outputLength, false);
    }

    CommandOpcode(int code, int inputLength, int outputLength, boolean ethernet) {
        this.code = code;
        this.inputLength = inputLength;
        this.outputLength = outputLength;
        this.ethernet = ethernet;
    }

    /** Only a function with the Ethernet capabilities executes it (mlx5e's objects); any other answers BAD_OP. */
    public boolean ethernet() {
        return ethernet;
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
