package dev.vfiosim.server.transport;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fds that came with a message, in arrival order, so that a protocol {@code fd_index} is a slot
 * index. Owns each fd until {@link #take(int)} hands it over; {@link #closeAll()} closes the rest and
 * empties the set for the next message. Reused across messages without allocating. Not thread-safe:
 * it belongs to the receiving thread.
 */
public final class ReceivedFds {
    private static final Logger LOG = LoggerFactory.getLogger(ReceivedFds.class);
    private static final int TAKEN = -1;

    private final int[] slots;
    private int count;
    private boolean truncated;

    public ReceivedFds(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.slots = new int[capacity];
    }

    public int capacity() {
        return slots.length;
    }

    public int count() {
        return count;
    }

    /** The fd in slot {@code i}, still owned here. */
    public int get(int i) {
        return slots[checkOwned(i)];
    }

    /** Hands the fd in slot {@code i} to the caller, who must close it; indices of others are unchanged. */
    public int take(int i) {
        int fd = slots[checkOwned(i)];
        slots[i] = TAKEN;
        return fd;
    }

    public boolean taken(int i) {
        checkIndex(i);
        return slots[i] == TAKEN;
    }

    /**
     * True when fds were lost since the last {@link #closeAll()}: the kernel reported MSG_CTRUNC (control
     * buffer too small) or more fds arrived than this set holds (the surplus was closed). The protocol
     * treats that as a broken message.
     */
    public boolean truncated() {
        return truncated;
    }

    /** Closes every fd not taken, then empties the set and clears {@link #truncated()}. */
    public void closeAll() {
        for (int i = 0; i < count; i++) {
            if (slots[i] != TAKEN) {
                FileDescriptors.close(slots[i]);
                slots[i] = TAKEN;
            }
        }
        count = 0;
        truncated = false;
    }

    /** Stores a received fd, or closes it and marks the set truncated when full: never lose an fd open. */
    void offer(int fd) {
        if (count < slots.length) {
            slots[count++] = fd;
        } else {
            LOG.warn("more fds arrived than the {} this message can hold; closing {}", slots.length, fd);
            FileDescriptors.close(fd);
            truncated = true;
        }
    }

    void markTruncated() {
        truncated = true;
    }

    private int checkOwned(int i) {
        checkIndex(i);
        if (slots[i] == TAKEN) {
            throw new IllegalStateException("fd slot " + i + " was already taken");
        }
        return i;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("fd slot " + i + " of " + count);
        }
    }

    @Override
    public String toString() {
        return "ReceivedFds" + Arrays.toString(Arrays.copyOf(slots, count)) + (truncated ? " truncated" : "");
    }
}
