package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;

/**
 * A resume stream the device refuses, saying precisely why and where: the fault, the stream byte
 * offset at which it was detected and the tag of the record concerned (when there is one).
 */
public class StreamException extends DeviceException {
    /** Why a stream was refused, with the errno the refusal carries. */
    public enum Fault {
        BAD_MAGIC(Errno.EINVAL),
        UNSUPPORTED_VERSION(Errno.ENOTSUP),
        IDENTITY_MISMATCH(Errno.EINVAL),
        FEATURE_MISMATCH(Errno.EINVAL),
        BAD_RECORD_FLAGS(Errno.EINVAL),
        RECORD_TOO_LARGE(Errno.ENOMEM),
        UNKNOWN_MANDATORY_RECORD(Errno.ENOTSUP),
        UNSUPPORTED_RECORD_VERSION(Errno.ENOTSUP),
        MALFORMED_RECORD(Errno.EINVAL),
        CHECKSUM_MISMATCH(Errno.EINVAL),
        TRUNCATED(Errno.EINVAL),
        TRAILING_DATA(Errno.EINVAL),
        INCOMPLETE(Errno.EINVAL);

        private final Errno errno;

        Fault(Errno errno) {
            this.errno = errno;
        }

        public Errno errno() {
            return errno;
        }
    }

    /** {@link #tag()} when the fault concerns no particular record. */
    public static final long NO_TAG = -1;

    private final Fault fault;
    private final long offset;
    private final long tag;

    public StreamException(Fault fault, long offset, long tag, String detail) {
        super(fault.errno(), fault + " at stream byte " + offset
                + (tag == NO_TAG ? "" : " (record tag " + tag + ")") + ": " + detail);
        this.fault = fault;
        this.offset = offset;
        this.tag = tag;
    }

    public Fault fault() {
        return fault;
    }

    /** Stream byte offset at which the fault was detected. */
    public long offset() {
        return offset;
    }

    /** Tag of the record concerned, or {@link #NO_TAG}. */
    public long tag() {
        return tag;
    }
}
