package dev.vfiosim.simulator.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaFaultException;
import dev.vfiosim.simulator.pci.SharedMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sample's parts against the facts of the reference (sample-device.md §1, §2, §4, §6). */
class SamplePartsTest {
    /** An alarm that records what it was asked to do. */
    static final class RecordingAlarm implements TimerRegister.Alarm {
        final List<Long> armed = new ArrayList<>();
        int disarmed;

        @Override
        public void arm(long seconds) {
            armed.add(seconds);
        }

        @Override
        public void disarm() {
            disarmed++;
        }
    }

    private final AtomicLong now = new AtomicLong(1_700_000_000L);
    private final java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    private final java.io.PrintStream stdout = new java.io.PrintStream(printed, true);
    private final RecordingAlarm alarm = new RecordingAlarm();
    private final Bar1Storage bar1 = new Bar1Storage(SharedMemory.onHeap(Bar1Storage.SIZE));
    private SampleMigrationData migration;
    private final TimerRegister timer = new TimerRegister(now::get, alarm, () -> migration.running());

    {
        migration = new SampleMigrationData(bar1, timer);
    }

    private static ByteBuffer s64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
    }

    private long readTimer() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        timer.read(0, b);
        return b.getLong(0);
    }

    @Test
    void configSpaceHasTheSamplesIdentityAndLibvfioUsersBarAndPinBits() {
        SampleConfigSpace config = new SampleConfigSpace(8, Bar1Storage.SIZE, 0, 0, 0, 0);
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        config.read(0, b);
        assertEquals(0xdead, b.getShort(0) & 0xFFFF);
        assertEquals(0xbeef, b.getShort(2) & 0xFFFF);
        assertEquals(0xcafe, b.getShort(0x2c) & 0xFFFF);
        assertEquals(0xbabe, b.getShort(0x2e) & 0xFFFF);
        for (int bar = 0; bar < 6; bar++) {
            assertEquals(1, b.getInt(0x10 + 4 * bar), "I/O bit of BAR" + bar);
        }
        assertEquals(1, b.get(0x3d), "INTA#");
        assertEquals(0, b.get(0x34), "no capabilities");
        assertEquals(0, b.getShort(6), "status: no capability list");
    }

    @Test
    void configWritesFollowLibvfioUsersEmulation() {
        SampleConfigSpace config = new SampleConfigSpace(8, Bar1Storage.SIZE, 0, 0, 0, 0);
        config.write(0x10, s64(0xffffffffL).limit(4));
        config.write(0x14, s64(0xffffffffL).limit(4));
        config.write(0x18, s64(0xffffffffL).limit(4));
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        config.read(0, b);
        assertEquals(0xfffffff9, b.getInt(0x10));
        assertEquals(0xffffd001, b.getInt(0x14));
        assertEquals(0x00000001, b.getInt(0x18), "a size-0 BAR stays 1");
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> config.write(0, s64(0).limit(2))).errno());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> config.write(0x11, s64(0).limit(1))).errno());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> config.write(0x40, s64(0).limit(4))).errno());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> config.write(4, s64(0x40).limit(2))).errno());
        config.write(4, s64(0x0427).limit(2));
        config.write(0x3c, s64(0x0b).limit(1));
        config.write(0x30, s64(0xfffff800L).limit(4));
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> config.write(0x30, s64(0x1000).limit(4))).errno());
        b.clear();
        config.read(0, b);
        assertEquals(0x0407, b.getShort(4), "VGA palette accepted and ignored");
        assertEquals(0x0b, b.get(0x3c));
        assertEquals(0, b.getInt(0x30));
    }

    @Test
    void timerWriteArmsTheDifferenceOnlyWhileRunningAndReadsNowMinusT() {
        assertEquals(now.get(), readTimer(), "T = 0 reads the epoch second");
        timer.write(0, s64(now.get() + 1));
        assertEquals(List.of(1L), alarm.armed);
        assertEquals(-1, readTimer());
        timer.write(0, s64(now.get()));
        assertEquals(1, alarm.disarmed, "0 seconds left disarms");
        DeviceException past = assertThrows(DeviceException.class, () -> timer.write(0, s64(now.get() - 5)));
        assertEquals(Errno.EINVAL, past.errno());
        assertEquals(now.get(), timer.stored(), "a refused write keeps T");
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> timer.write(0, s64(0).limit(4))).errno());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class,
                () -> timer.read(4, ByteBuffer.allocate(4))).errno());
    }

    @Test
    void bar1ReadsIgnoreTheOffsetAsUpstreamDoes() {
        bar1.write(0x1000, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        ByteBuffer at = ByteBuffer.allocate(4);
        bar1.read(0x1000, at);
        assertArrayEquals(new byte[4], at.array(), "reads the first 4 bytes, which are zero");
        ByteBuffer whole = ByteBuffer.allocate(Bar1Storage.SIZE);
        bar1.read(0, whole);
        assertEquals(3, whole.get(0x1002));
        assertThrows(DeviceException.class, () -> bar1.write(0x2fff, ByteBuffer.allocate(2)));
    }

    @Test
    void dmaSlotsTakeTheFirstFreeOneAndAddressZeroOccupiesItsSlot() {
        DmaSlots slots = new DmaSlots();
        assertEquals(0, slots.register(0, 4096, true, true));
        assertEquals(1, slots.register(4096, 4096, true, true));
        assertEquals(2, slots.register(4096, 4096, true, true), "an exact duplicate takes a second slot");
        assertEquals(2, slots.unregister(4096, 4096));
        assertEquals(1, slots.register(0x9000, 4096, true, false));
        assertEquals(0x9000, slots.slot(1).base());
        slots.clear();
        for (int i = 0; i < DmaSlots.COUNT; i++) {
            slots.register(4096L * (i + 1), 4096, true, true);
        }
        assertThrows(DmaSlots.SlotsFullException.class, () -> slots.register(1 << 30, 4096, true, true));
    }

    @Test
    void sourceStreamsAreBar1InPreCopyAndBar1ThenTInStopCopy() {
        bar1.write(0, ByteBuffer.wrap(new byte[] {9, 8, 7}));
        timer.write(0, s64(now.get() + 10));
        migration.enter(SampleState.PRE_COPY);
        int total = 0;
        ByteBuffer chunk = ByteBuffer.allocate(1024);
        for (int n; (n = migration.read(chunk.clear())) > 0; ) {
            total += n;
        }
        assertEquals(0x3000, total);
        migration.enter(SampleState.STOP_AND_COPY);
        assertTrue(alarm.disarmed > 0, "STOP_COPY disarms the timer");
        ByteBuffer stream = ByteBuffer.allocate(0x4000).order(ByteOrder.LITTLE_ENDIAN);
        int reads = 0;
        for (int n; (n = migration.read(stream.slice(stream.position(), Math.min(1024, stream.remaining())))) > 0; ) {
            stream.position(stream.position() + n);
            reads++;
        }
        assertEquals(13, reads, "12 x 1024 + 8");
        assertEquals(0x3008, stream.position());
        assertEquals(9, stream.get(0));
        assertEquals(now.get() + 10, stream.getLong(0x3000), "T as stored, not as read");
        migration.enter(SampleState.STOP);
    }

    @Test
    void enteringRunningWithoutTheWholeStreamIsRefused() {
        migration.enter(SampleState.PRE_COPY);
        DeviceException e = assertThrows(DeviceException.class, () -> migration.enter(SampleState.RUNNING));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(SampleState.PRE_COPY, migration.state());
        migration.enter(SampleState.STOP_AND_COPY);
        migration.read(ByteBuffer.allocate(100));
        assertThrows(DeviceException.class, () -> migration.enter(SampleState.STOP));
    }

    @Test
    void destinationRestoresBar1AndTInAnyChunkingAndArmsOnRunning() {
        ByteBuffer stream = ByteBuffer.allocate(0x3008).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 0x3000; i++) {
            stream.put(i, (byte) (i * 7));
        }
        stream.putLong(0x3000, now.get() + 9);
        migration.enter(SampleState.STOP);
        migration.enter(SampleState.RESUME);
        int[] chunks = {1000, 2000, 9000, 5, 3, 500};
        int at = 0;
        for (int c : chunks) {
            at += migration.write(stream.slice(at, Math.min(c, 0x3008 - at)));
        }
        assertEquals(0x3008, at);
        ByteBuffer back = ByteBuffer.allocate(0x3000);
        bar1.read(0, back);
        assertArrayEquals(java.util.Arrays.copyOf(stream.array(), 0x3000), back.array());
        migration.enter(SampleState.STOP);
        migration.enter(SampleState.RUNNING);
        assertEquals(List.of(9L), alarm.armed);
    }

    @Test
    void aDestinationGivenThePreCopyPassTooAppliesTheStopCopyStreamThatFollows() {
        ByteBuffer stream = ByteBuffer.allocate(0x3000 + 0x3008).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 0x3000; i++) {
            stream.put(i, (byte) 1);
            stream.put(0x3000 + i, (byte) 2);
        }
        stream.putLong(0x6000, now.get() + 3);
        migration.enter(SampleState.STOP);
        migration.enter(SampleState.RESUME);
        assertEquals(0x6008, migration.write(stream.duplicate()));
        assertEquals(0, migration.write(ByteBuffer.allocate(1)), "nothing beyond one pre-copy pass and the stream");
        migration.enter(SampleState.STOP);
        ByteBuffer back = ByteBuffer.allocate(0x3000);
        bar1.read(0, back);
        for (int i = 0; i < 0x3000; i++) {
            assertEquals(2, back.get(i), "BAR1 from the stop-copy part");
        }
        assertEquals(now.get() + 3, timer.stored());
        migration.enter(SampleState.RUNNING);
        assertEquals(List.of(3L), alarm.armed);
    }

    @Test
    void aDestinationWithAShortStreamIsNotResumed() {
        migration.enter(SampleState.STOP);
        migration.enter(SampleState.RESUME);
        migration.write(ByteBuffer.allocate(0x3000));
        migration.enter(SampleState.STOP);
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> migration.enter(SampleState.RUNNING)).errno());
    }

    @Test
    void runningWithTInThePastArmsNothingAndWithTNowExpiresAtOnce() {
        migration.enter(SampleState.STOP);
        migration.enter(SampleState.RESUME);
        ByteBuffer stream = ByteBuffer.allocate(0x3008).order(ByteOrder.LITTLE_ENDIAN).putLong(0x3000, now.get() - 1);
        migration.write(stream);
        migration.enter(SampleState.STOP);
        migration.enter(SampleState.RUNNING);
        assertEquals(SampleState.RUNNING, migration.state(), "upstream refuses this arc; vfio-sim resumes");
        assertEquals(List.of(), alarm.armed, "a past T has expired already");
        timer.restore(now.get());
        assertEquals(0, timer.armFromStored(), "T = now expires at once");
        assertEquals(List.of(0L), alarm.armed);
    }

    /** Guest memory of a few pages, recording every access. */
    static final class RecordingDma implements Dma {
        final ByteBuffer memory = ByteBuffer.allocate(0x10000);
        final List<String> log = new ArrayList<>();
        boolean corrupt;

        @Override
        public void read(long iova, ByteBuffer dst) {
            log.add("read 0x" + Long.toHexString(iova) + " " + dst.remaining());
            dst.put(memory.slice((int) iova, dst.remaining()));
            if (corrupt) {
                dst.put(dst.position() - 1, (byte) 0);
            }
        }

        @Override
        public void write(long iova, ByteBuffer src) {
            log.add("write 0x" + Long.toHexString(iova) + " " + src.remaining());
            memory.put((int) iova, src, src.position(), src.remaining());
            src.position(src.limit());
        }
    }

    @Test
    void expiryRaisesIntxThenDoesDirectDmaOnSlot1ThenMessageDmaOnSlot0() {
        DmaSlots slots = new DmaSlots();
        slots.register(0x8000, 4096, true, true);
        slots.register(0x9000, 4096, true, true);
        RecordingDma direct = new RecordingDma();
        RecordingDma messages = new RecordingDma();
        List<String> order = new ArrayList<>();
        TimerExpiry expiry = new TimerExpiry(slots, new TimerExpiry.Ports() {
            @Override
            public boolean raiseIntx() {
                order.add("intx");
                return true;
            }

            @Override
            public Dma direct() {
                order.add("direct");
                return direct;
            }

            @Override
            public Dma messages() {
                order.add("messages");
                return messages;
            }
        }, stdout);
        assertEquals(TimerExpiry.Outcome.DONE, expiry.run());
        assertEquals("doing dma io\n", printed.toString().replace(System.lineSeparator(), "\n"));
        assertEquals(List.of("intx", "direct", "messages"), order);
        assertEquals(List.of("write 0x9000 1024", "write 0x9400 1024", "write 0x9800 1024", "write 0x9c00 1024",
                "read 0x9000 2048", "read 0x9800 2048"), direct.log);
        assertEquals(List.of("write 0x8000 1024", "write 0x8400 1024", "write 0x8800 1024", "write 0x8c00 1024",
                "read 0x8000 2048", "read 0x8800 2048"), messages.log);
        assertEquals('D', messages.memory.get(0x8fff));
        messages.corrupt = true;
        assertEquals(TimerExpiry.Outcome.MISMATCH, expiry.run());
    }

    @Test
    void expiryWithoutAnInterruptOrAMappingStopsWithTheReason() {
        DmaSlots slots = new DmaSlots();
        Dma none = Dma.NONE;
        boolean[] wired = {false};
        TimerExpiry expiry = new TimerExpiry(slots, new TimerExpiry.Ports() {
            @Override
            public boolean raiseIntx() {
                return wired[0];
            }

            @Override
            public Dma direct() {
                return none;
            }

            @Override
            public Dma messages() {
                return none;
            }
        }, stdout);
        assertEquals(TimerExpiry.Outcome.INTERRUPT_NOT_WIRED, expiry.run());
        wired[0] = true;
        assertEquals(TimerExpiry.Outcome.DMA_FAILED, expiry.run());
        assertThrows(DmaFaultException.class, () -> none.read(0, ByteBuffer.allocate(1)));
    }
}
