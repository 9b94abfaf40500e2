package dev.vfiosim.server.transport;

import java.io.File;

/** How many fds this process has open, for leak tests. */
public final class OpenFileDescriptors {
    private OpenFileDescriptors() {
    }

    /**
     * Entries in /proc/self/fd, not counting the directory fd that listing it opens. Other threads
     * (JIT, GC, logging) rarely open files, but compare counts taken around quiet code.
     */
    public static int count() {
        String[] entries = new File("/proc/self/fd").list();
        if (entries == null) {
            throw new IllegalStateException("/proc/self/fd is not readable");
        }
        return entries.length - 1;
    }
}
