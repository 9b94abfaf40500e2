package dev.vfiosim.server.transport;

import jnr.ffi.Pointer;

/**
 * One direction's reusable {@code struct msghdr} with two iovecs and a control buffer, in one native
 * block. Layout (x86_64 glibc):
 *
 * <pre>
 * block offset  size  content
 *   0           56    struct msghdr
 *  56           32    struct iovec[2]
 *  88           c     control buffer, c = CMSG_SPACE(4 * maxFds)
 *
 * struct msghdr                          struct iovec (16)         struct cmsghdr (16 + data)
 *   0  void  *msg_name       (NULL)        0 void  *iov_base         0 size_t cmsg_len (= CMSG_LEN)
 *   8  u32    msg_namelen + 4 pad          8 size_t iov_len          8 int    cmsg_level
 *  16  iovec *msg_iov                                               12 int    cmsg_type
 *  24  size_t msg_iovlen                                            16 int    fds[n]
 *  32  void  *msg_control
 *  40  size_t msg_controllen (in: capacity, out: bytes used)
 *  48  int    msg_flags + 4 pad (out)
 *
 * CMSG_ALIGN(n) = (n + 7) &amp; ~7;  CMSG_LEN(n) = 16 + n;  CMSG_SPACE(n) = 16 + CMSG_ALIGN(n)
 * </pre>
 */
final class MsgHdr {
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int CMSG_HEADER = 16;

    private static final int MSGHDR = 0;
    private static final int IOV = 56;
    private static final int CONTROL = 88;

    private final NativeBlock block;
    final int controlCapacity;

    MsgHdr(int maxFds) {
        this.controlCapacity = maxFds == 0 ? 0 : cmsgSpace(4 * maxFds);
        this.block = new NativeBlock(CONTROL + Math.max(controlCapacity, 8));
    }

    static int cmsgAlign(int n) {
        return (n + 7) & ~7;
    }

    static int cmsgSpace(int n) {
        return CMSG_HEADER + cmsgAlign(n);
    }

    Pointer pointer() {
        return block.pointer;
    }

    void iov(int i, long base, long length) {
        block.putLong(IOV + 16 * i, base);
        block.putLong(IOV + 16 * i + 8, length);
    }

    /** Fills the msghdr for the next call: {@code iovCount} iovecs, {@code controlLength} control bytes. */
    void prepare(int iovCount, int controlLength) {
        block.putLong(MSGHDR, 0L);
        block.putLong(MSGHDR + 8, 0L);
        block.putLong(MSGHDR + 16, block.address + IOV);
        block.putLong(MSGHDR + 24, iovCount);
        block.putLong(MSGHDR + 32, controlLength == 0 ? 0L : block.address + CONTROL);
        block.putLong(MSGHDR + 40, controlLength);
        block.putLong(MSGHDR + 48, 0L);
    }

    /** msg_controllen after recvmsg: control bytes the kernel filled. */
    long controlUsed() {
        return block.getLong(MSGHDR + 40);
    }

    int flags() {
        return block.getInt(MSGHDR + 48);
    }

    long controlLong(int offset) {
        return block.getLong(CONTROL + offset);
    }

    int controlInt(int offset) {
        return block.getInt(CONTROL + offset);
    }

    /** Writes one SCM_RIGHTS cmsg carrying {@code fds[0..count)}; returns its CMSG_SPACE. */
    int putRights(int[] fds, int count) {
        block.putLong(CONTROL, CMSG_HEADER + 4L * count);
        block.bytes.putInt(CONTROL + 8, SOL_SOCKET);
        block.bytes.putInt(CONTROL + 12, SCM_RIGHTS);
        for (int i = 0; i < count; i++) {
            block.bytes.putInt(CONTROL + CMSG_HEADER + 4 * i, fds[i]);
        }
        return cmsgSpace(4 * count);
    }

    void free() {
        block.free();
    }
}
