/**
 * The native transport under the vfio-user server: AF_UNIX stream sockets with SCM_RIGHTS fd passing,
 * eventfds, memfd-backed device memory and mmaps of client memory, all through a small jnr-ffi libc
 * binding ({@link dev.vfiosim.server.transport.LibC}) on raw fds.
 *
 * <p>Why raw fds rather than channels: jnr-unixsocket cannot pass fds and copies every read/write through
 * a fresh heap buffer; the JDK's UNIX channel hides its fd without JVM flags. So listening sockets,
 * connections and their data I/O are done with libc calls on fds this package owns, into direct buffers
 * and reusable native scratch.
 *
 * <p>Ownership: every class that is handed or creates an fd closes it exactly once in close(); received
 * fds live in {@link dev.vfiosim.server.transport.ReceivedFds} until taken. All fds are created
 * close-on-exec. Linux x86_64 only (struct layouts, errno and flag values).
 */
package dev.vfiosim.server.transport;
