package dev.vfiosim.server.transport;

/** The Linux errno values the transport reacts to (asm-generic numbering, x86_64). */
final class Errno {
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int EPIPE = 32;
    static final int ENOTSOCK = 88;
    static final int EADDRINUSE = 98;
    static final int ECONNABORTED = 103;
    static final int ECONNRESET = 104;
    static final int EISCONN = 106;
    static final int ENOTCONN = 107;
    static final int ECONNREFUSED = 111;
    static final int EINPROGRESS = 115;

    private Errno() {
    }

    static String name(int errno) {
        switch (errno) {
            case ENOENT: return "ENOENT";
            case EINTR: return "EINTR";
            case EBADF: return "EBADF";
            case EAGAIN: return "EAGAIN";
            case EACCES: return "EACCES";
            case EINVAL: return "EINVAL";
            case EPIPE: return "EPIPE";
            case ENOTSOCK: return "ENOTSOCK";
            case EADDRINUSE: return "EADDRINUSE";
            case ECONNABORTED: return "ECONNABORTED";
            case ECONNRESET: return "ECONNRESET";
            case EISCONN: return "EISCONN";
            case ENOTCONN: return "ENOTCONN";
            case ECONNREFUSED: return "ECONNREFUSED";
            case EINPROGRESS: return "EINPROGRESS";
            default: return null;
        }
    }
}
