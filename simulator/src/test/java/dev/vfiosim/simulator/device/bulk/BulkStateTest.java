package dev.vfiosim.simulator.device.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class BulkStateTest {
    private static final long SIZE = 70L << 20;

    private static BulkStateActivity quietActivity(BulkState state, long seed) {
        return new BulkStateActivity(state, new BulkStateSettings(state.bytes(), 0, seed), () -> 0);
    }

    @Test
    void everyPageStartsDirtyAndTakingClearsTheSet() {
        try (BulkState state = new BulkState(SharedMemoryAllocator.HEAP, SIZE)) {
            assertEquals(SIZE / BulkState.PAGE_SIZE, state.pageCount());
            assertEquals(state.pageCount(), state.takeDirty().cardinality(), "nothing has been read yet");
            assertEquals(0, state.takeDirty().cardinality());
        }
    }

    @Test
    void activityWritesStampsAndMarksExactlyThePagesItWrote() {
        try (BulkState state = new BulkState(SharedMemoryAllocator.HEAP, SIZE); BulkStateActivity activity = quietActivity(state, 7)) {
            state.takeDirty();
            activity.writePages(50);
            BitSet dirty = state.takeDirty();
            assertTrue(dirty.cardinality() > 0 && dirty.cardinality() <= 50);
            int page = dirty.nextSetBit(0);
            ByteBuffer contents = ByteBuffer.allocate(BulkState.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            state.readPage(page, contents);
            boolean stamped = false;
            for (int at = 0; at < BulkState.PAGE_SIZE; at += BulkStateActivity.STAMP_SIZE) {
                stamped |= contents.getLong(at) == page && contents.getLong(at + Long.BYTES) > 0;
            }
            assertTrue(stamped, "page " + page + " carries a stamp naming it");
            assertEquals(50, activity.writes());
        }
    }

    @Test
    void theSameSeedDirtiesTheSamePagesAndARestoredHeaderContinuesTheSequence() {
        try (BulkState a = new BulkState(SharedMemoryAllocator.HEAP, SIZE); BulkState b = new BulkState(SharedMemoryAllocator.HEAP, SIZE);
                BulkStateActivity first = quietActivity(a, 99); BulkStateActivity second = quietActivity(b, 1)) {
            first.writePages(10);
            second.restore(first.header());
            a.takeDirty();
            b.takeDirty();
            first.writePages(10);
            second.writePages(10);
            BitSet fromA = a.takeDirty();
            BitSet fromB = b.takeDirty();
            assertEquals(fromA, fromB, "B continues A's sequence of pages");
            assertNotEquals(0, fromB.cardinality());
        }
    }

    @Test
    void sizeMustBeWholePages() {
        assertThrows(IllegalArgumentException.class, () -> new BulkStateSettings(1000, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new BulkState(SharedMemoryAllocator.HEAP, 4097));
    }

    /** A failure on the activity thread is counted and skipped; the thread carries on and stops cleanly. */
    @Test
    void aFailingTickDoesNotKillTheActivity() throws Exception {
        java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
        java.util.function.LongSupplier clock = () -> {
            long n = calls.incrementAndGet();
            if (n <= 3) {
                throw new IllegalStateException("clock failure " + n);
            }
            return n * 1_000_000L;   // 1 ms per tick
        };
        try (BulkState state = new BulkState(SharedMemoryAllocator.HEAP, SIZE);
                BulkStateActivity activity = new BulkStateActivity(state, new BulkStateSettings(state.bytes(), 100_000, 3),
                        clock)) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (activity.writes() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(3, activity.failures());
            org.junit.jupiter.api.Assertions.assertTrue(activity.writes() > 0, "the activity kept writing after failures");
            activity.pause();
            long paused = activity.writes();
            activity.writePages(1);
            assertEquals(paused + 1, activity.writes(), "a paused activity still answers");
        }
    }
}
