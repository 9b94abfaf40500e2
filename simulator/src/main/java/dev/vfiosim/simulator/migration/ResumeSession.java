package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.migration.StreamException.Fault;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resume session: takes MIG_DATA_WRITE bytes in any segmentation, stages every record, and at
 * RESUMING → STOP ({@link #finish()}) either applies everything or nothing. Validated at finish:
 * no fault so far, the END record arrived (else truncation, with the byte offset and record), and
 * every mandatory component and every bulk page arrived at least once (else incomplete).
 */
public final class ResumeSession {
    private static final Logger LOG = LoggerFactory.getLogger(ResumeSession.class);
    private final List<RecordLoader> loaders;
    private final MigrationStreamReader reader;
    private StreamException failure;
    private boolean closed;

    public ResumeSession(MigrationImage image) {
        this.loaders = image.loaders();
        this.reader = new MigrationStreamReader(image.identity(), image.features(), loaders);
    }

    /** The record the next byte written belongs to, or -1 between records. */
    public synchronized int recordInFlight() {
        return reader.recordInFlight();
    }

    /** MIG_DATA_WRITE: consumes all of {@code src} or throws the stream's first fault. */
    public synchronized void write(ByteBuffer src) {
        requireOpen();
        try {
            reader.write(src);
        } catch (StreamException e) {
            fail(e);
            throw e;
        }
    }

    /** RESUMING → STOP: validates the whole stream and commits it, or discards it and throws. */
    public synchronized void finish() {
        requireOpen();
        try {
            reader.finish();
            for (RecordLoader loader : loaders) {
                String missing = loader.missing();
                if (missing != null) {
                    throw new StreamException(Fault.INCOMPLETE, reader.offset(), loader.tag(), missing);
                }
            }
        } catch (StreamException e) {
            fail(e);
            throw e;
        }
        for (RecordLoader loader : loaders) {
            loader.commit();
        }
        closed = true;
    }

    /** Reset or teardown: drop everything staged. */
    public synchronized void discard() {
        if (!closed && failure == null) {
            loaders.forEach(RecordLoader::discard);
        }
        closed = true;
    }

    private void fail(StreamException e) {
        if (failure == null) {
            // once per session: the first fault is the one every later write and the commit report
            LOG.warn("resume stream refused: {}", e.getMessage());
            failure = e;
            loaders.forEach(RecordLoader::discard);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new DeviceException(Errno.ENODEV, "the resume session has ended");
        }
        if (failure != null) {
            throw failure;
        }
    }
}
