package dev.vfiosim.simulator;

/**
 * Linux x86-64 errno values, the only error vocabulary shared by the device model and the
 * vfio-user server: a device failure is reported to the client with exactly the errno the kernel's
 * VFIO layer would have returned for the same mistake.
 */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    EIO(5),
    E2BIG(7),
    EBADF(9),
    EAGAIN(11),
    ENOMEM(12),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    ENODEV(19),
    EINVAL(22),
    ENOTTY(25),
    ENOSPC(28),
    ESPIPE(29),
    ENOSYS(38),
    ENOMSG(42),
    EPROTO(71),
    EOVERFLOW(75),
    ENOTSUP(95),
    ECONNRESET(104),
    ENOTCONN(107),
    ESHUTDOWN(108),
    ETIMEDOUT(110);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The positive errno number as it travels in a vfio-user error reply. */
    public int code() {
        return code;
    }

    /** The constant for a number, or {@code null} when the number is not one this project uses. */
    public static Errno ofCode(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
