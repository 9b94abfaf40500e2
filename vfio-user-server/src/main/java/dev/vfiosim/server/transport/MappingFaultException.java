package dev.vfiosim.server.transport;

/**
 * An access to a {@link MappedMemory} that could not be carried out: the mapping was closed, or the
 * memory behind it is gone (the peer shrank the file, and the kernel answered the access with SIGBUS,
 * which the JVM turns into an {@link InternalError} for Unsafe accesses). Nothing was copied.
 */
public final class MappingFaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MappingFaultException(String message) {
        super(message);
    }

    public MappingFaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
