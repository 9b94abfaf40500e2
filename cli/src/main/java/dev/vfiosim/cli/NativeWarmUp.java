package dev.vfiosim.cli;

import dev.vfiosim.server.transport.Native;

/**
 * Makes the libc binding on a second CPU while {@code serve} parses its command line and sets up
 * its logging. jnr-ffi generates the binding's classes at first use (its assembler and ASM, none of
 * which the class-data archive can hold on Java 17): about a tenth of a second of CPU that would
 * otherwise sit between parsing and the socket's listen(). The serving thread that reaches the
 * binding first waits for this one to finish it (class initialisation is done once, under the
 * JVM's lock), so the order never matters; a failure is left for that thread to meet and report.
 */
final class NativeWarmUp {
    private NativeWarmUp() {
    }

    static void start() {
        Thread t = new Thread(NativeWarmUp::bind, "vfio-sim-native-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void bind() {
        try {
            Native.libc();
        } catch (LinkageError e) {
            // the serving thread meets the same failure when it binds and reports it there
        }
    }
}
