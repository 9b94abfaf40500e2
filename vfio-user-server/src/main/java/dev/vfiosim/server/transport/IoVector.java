package dev.vfiosim.server.transport;

import jnr.ffi.Pointer;

/**
 * A reusable {@code struct msghdr} with a long iovec array and no control data, for gathered sends
 * of many segments in one sendmsg: a migration chunk is its headers plus one segment per page.
 * Layout (x86_64 glibc) as in {@link MsgHdr}: the 56-byte msghdr, then {@code struct iovec[n]}
 * (0 {@code iov_base}, 8 {@code iov_len}).
 */
final class IoVector {
    /** IOV_MAX on Linux: sendmsg refuses more iovecs in one call (EMSGSIZE). */
    static final int MAX_IOVECS = 1024;
    private static final int MSGHDR = 0;
    private static final int IOV = 56;
    private static final int IOVEC_SIZE = 16;

    private final NativeBlock block = new NativeBlock(IOV + MAX_IOVECS * IOVEC_SIZE);

    Pointer pointer() {
        return block.pointer;
    }

    void iov(int i, long base, long length) {
        block.bytes.putLong(IOV + IOVEC_SIZE * i, base);
        block.bytes.putLong(IOV + IOVEC_SIZE * i + 8, length);
    }

    /** The msghdr for the next sendmsg: iovecs 0..count, no name, no control data. */
    void prepare(int count) {
        block.bytes.putLong(MSGHDR, 0L);
        block.bytes.putLong(MSGHDR + 8, 0L);
        block.bytes.putLong(MSGHDR + 16, block.address + IOV);
        block.bytes.putLong(MSGHDR + 24, count);
        block.bytes.putLong(MSGHDR + 32, 0L);
        block.bytes.putLong(MSGHDR + 40, 0L);
        block.bytes.putLong(MSGHDR + 48, 0L);
    }

    void free() {
        block.free();
    }
}
