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

    /**
     * The count once it holds still: fds that other threads of the JVM close in their own time (a
     * previous test's connection threads, a jar opened by the class loader) would otherwise make a
     * leak check flaky.
     */
    public static int settled() {
        int last = count();
        for (int i = 0; i < 50; i++) {
            sleep();
            int now = count();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** Waits up to two seconds for the count to drop to {@code limit} or below; returns the last count. */
    public static int awaitAtMost(int limit) {
        int now = count();
        for (int i = 0; i < 200 && now > limit; i++) {
            sleep();
            now = count();
        }
        return now;
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
