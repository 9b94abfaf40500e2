package dev.vfiosim.server.protocol;

/** vfio-user command numbers (the header's {@code cmd} field). */
public enum Command {
    VERSION(1),
    DMA_MAP(2),
    DMA_UNMAP(3),
    DEVICE_GET_INFO(4),
    DEVICE_GET_REGION_INFO(5),
    DEVICE_GET_REGION_IO_FDS(6),
    DEVICE_GET_IRQ_INFO(7),
    DEVICE_SET_IRQS(8),
    REGION_READ(9),
    REGION_WRITE(10),
    DMA_READ(11),
    DMA_WRITE(12),
    DEVICE_RESET(13),
    /** Obsolete: only QEMU's enum still has it; treated as unknown. */
    DIRTY_PAGES(14),
    REGION_WRITE_MULTI(15),
    DEVICE_FEATURE(16),
    MIG_DATA_READ(17),
    MIG_DATA_WRITE(18);

    private static final Command[] BY_CODE = new Command[19];

    static {
        for (Command c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;

    Command(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The command for a wire number, or {@code null} for a number vfio-user does not define. */
    public static Command ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
