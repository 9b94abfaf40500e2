package dev.vfiosim.server.transport;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;

/** The process-wide libc binding and errno access. */
public final class Native {
    private static final LibC LIBC = LibraryLoader.create(LibC.class)
            .load(Platform.getNativePlatform().getStandardCLibraryName());
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    private static final int SC_PAGESIZE = 30;
    private static final long PAGE_SIZE = LIBC.sysconf(SC_PAGESIZE);

    private Native() {
    }

    public static LibC libc() {
        return LIBC;
    }

    public static jnr.ffi.Runtime runtime() {
        return RUNTIME;
    }

    /** errno left by the last libc call made on this thread. */
    public static int lastErrno() {
        return RUNTIME.getLastError();
    }

    /** For messages: {@code "EPIPE (32): Broken pipe"}. */
    public static String describe(int errno) {
        String name = Errno.name(errno);
        String text;
        try {
            text = LIBC.strerror(errno);
        } catch (RuntimeException e) {
            text = null;
        }
        return (name == null ? "errno" : name) + " (" + errno + ")" + (text == null ? "" : ": " + text);
    }

    static long pageSize() {
        return PAGE_SIZE;
    }
}
