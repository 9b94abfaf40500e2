package dev.vfiosim.simulator.device.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.device.InitializationSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine with fake guest memory: commands, queues, loopback, faults, pause, state. */
class DeviceEngineTest {
    static final long BASE = 0x100000;
    static final long CMDQ = BASE;
    static final long EQ_RING = BASE + 0x1000;
    static final long CQ_RING = BASE + 0x2000;
    static final long SQ_RING = BASE + 0x3000;
    static final long RQ_RING = BASE + 0x4000;
    static final long RECORDS = BASE + 0x5000;
    static final long SQ_RECORD = RECORDS;
    static final long RQ_RECORD = RECORDS + 0x40;
    static final long CQ_RECORD = RECORDS + 0x80;
    static final long TX = BASE + 0x6000;
    static final long RX = BASE + 0x8000;
    static final long IN_MAILBOXES = BASE + 0x10000;
    static final long OUT_MAILBOXES = BASE + 0x14000;
    static final long PAGES = BASE + 0x18000;
    static final int LOG = 3;
    static final int VECTOR = 2;

    final FakeGuestMemory memory = new FakeGuestMemory(BASE, 0x40000);
    final InitializationSegment init = new InitializationSegment();
    final DoorbellPage doorbells = new DoorbellPage();
    final List<Integer> fired = new CopyOnWriteArrayList<>();
    DeviceEngine engine;
    /** The engine's DMA port: the fake memory, or something worse. */
    volatile dev.vfiosim.simulator.dma.Dma port = memory;

    @BeforeEach
    void start() {
        engine = new DeviceEngine("test-engine", init, doorbells, () -> port, fired::add, HcaCapabilities.of(4, 0),
                () -> 42);
        init.write(InitializationSegment.CMDQ_ADDR_HIGH, 0);
        init.write(InitializationSegment.CMDQ_ADDR_LOW, (int) CMDQ);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private void settle() {
        assertTrue(engine.awaitIdle(Duration.ofSeconds(5)), "engine did not become idle");
    }

    /** The entry as the device left it and the whole output message. */
    record Done(ByteBuffer entry, ByteBuffer output) {
        int status() {
            return output.get(CommandEntry.STATUS);
        }

        int syndrome() {
            return output.getInt(CommandEntry.SYNDROME);
        }

        int delivery() {
            return (entry.get(CommandEntry.STATUS_OWN) & 0xFF) >>> CommandEntry.DELIVERY_SHIFT;
        }

        int object() {
            return output.getInt(CommandOpcode.OBJECT_NUMBER) & CommandOpcode.OBJECT_MASK;
        }
    }

    /** Posts a command message in slot 0 (mailboxes as needed), rings, waits. */
    private Done command(byte[] message, int inLength, int outLength) {
        ByteBuffer entry = memory.bytes.slice(memory.at(CMDQ), CommandEntry.SIZE).order(ByteOrder.BIG_ENDIAN);
        byte[] inline = java.util.Arrays.copyOf(message, CommandEntry.INLINE_SIZE);
        long in = CommandMailbox.writeChain(memory.bytes, memory::at, IN_MAILBOXES, message, inLength, 7);
        long out = CommandMailbox.writeChain(memory.bytes, memory::at, OUT_MAILBOXES, new byte[0], outLength, 7);
        new CommandEntry(CommandEntry.PCIE_TRANSPORT, inLength, in, inline, out, outLength, 7).encode(entry);
        init.write(InitializationSegment.CMD_DOORBELL, 1);
        settle();
        return new Done(entry, CommandMailbox.readOutput(memory.bytes, memory::at, memory.at(CMDQ), OUT_MAILBOXES, outLength));
    }

    private static byte[] message(CommandOpcode op, int opMod, int length) {
        byte[] m = new byte[Math.max(length, CommandEntry.HEADER)];
        ByteBuffer.wrap(m).putShort(CommandEntry.OPCODE, (short) op.code()).putShort(CommandEntry.OP_MOD, (short) opMod);
        return m;
    }

    private Done command(CommandOpcode op, int opMod) {
        return command(message(op, opMod, op.inputLength()), op.inputLength(), op.outputLength());
    }

    private Done command(CommandOpcode op, byte[] input) {
        ByteBuffer.wrap(input).putShort(CommandEntry.OPCODE, (short) op.code());
        return command(input, input.length, op.outputLength());
    }

    private int create(CommandOpcode op, QueueCreateInput input) {
        Done d = command(op, input.encode(op));
        assertEquals(CommandStatus.OK.code(), d.status(), op + " failed, syndrome 0x" + Integer.toHexString(d.syndrome()));
        return d.object();
    }

    /** ENABLE_HCA, boot and init pages, INIT_HCA, ALLOC_UAR; returns the UAR. */
    private int initialize() {
        assertEquals(CommandStatus.OK.code(), command(CommandOpcode.ENABLE_HCA, 0).status());
        for (int opMod = 1; opMod <= 2; opMod++) {
            int n = command(CommandOpcode.QUERY_PAGES, opMod).output().getInt(0x0c);
            byte[] give = message(CommandOpcode.MANAGE_PAGES, 1, 0x10 + n * 8);
            ByteBuffer g = ByteBuffer.wrap(give).putInt(0x0c, n);
            for (int i = 0; i < n; i++) {
                g.putLong(0x10 + i * 8, PAGES + (opMod * 64L + i) * 0x1000);
            }
            assertEquals(CommandStatus.OK.code(), command(give, give.length, 0x10).status());
        }
        assertEquals(CommandStatus.OK.code(), command(CommandOpcode.INIT_HCA, 0).status());
        return command(CommandOpcode.ALLOC_UAR, 0).object();
    }

    private Done createEq(int uar, int vector, long mask, long ring) {
        for (int i = 0; i < 1 << LOG; i++) {
            memory.bytes.put(memory.at(ring) + i * EventQueueEntry.SIZE + EventQueueEntry.OWNER, (byte) 1);
        }
        return command(CommandOpcode.CREATE_EQ, new EqContext(LOG, uar, vector, 0, 0, mask, new long[] {ring}).encode());
    }

    private int[] bringUpWithLoopback() {
        int uar = initialize();
        Done created = createEq(uar, VECTOR, 1L << EventQueueEntry.COMPLETION, EQ_RING);
        assertEquals(CommandStatus.OK.code(), created.status(), "CREATE_EQ syndrome 0x" + Integer.toHexString(created.syndrome()));
        int eq = created.object();
        int cq = create(CommandOpcode.CREATE_CQ, new QueueCreateInput(CQ_RING, CQ_RECORD, eq, 0, LOG, 0));
        int rq = create(CommandOpcode.CREATE_RQ, new QueueCreateInput(RQ_RING, RQ_RECORD, cq, 0, LOG, 0));
        int sq = create(CommandOpcode.CREATE_SQ, new QueueCreateInput(SQ_RING, SQ_RECORD, cq, rq, LOG, 0));
        return new int[] {eq, cq, rq, sq};
    }

    private void postReceive(int counter, int capacity) {
        new WorkQueueEntry(RX + counter * 0x100L, capacity).encode(memory.bytes, memory.at(RQ_RING) + (counter & 7) * WorkQueueEntry.SIZE);
        memory.bytes.putInt(memory.at(RQ_RECORD), counter + 1);
    }

    private void postSend(int counter, long buffer, int length, int sq) {
        new WorkQueueEntry(buffer, length).encode(memory.bytes, memory.at(SQ_RING) + (counter & 7) * WorkQueueEntry.SIZE);
        memory.bytes.putInt(memory.at(SQ_RECORD), counter + 1);
        doorbells.write(DoorbellPage.SQ_DOORBELL, sq);
    }

    private CompletionQueueEntry cqe(int index) {
        return CompletionQueueEntry.decode(memory.bytes, memory.at(CQ_RING) + index * CompletionQueueEntry.SIZE);
    }

    @Test
    void commandsFollowTheHcaLifeCycleAndHandTheEntryBack() {
        Done early = command(CommandOpcode.INIT_HCA, 0);
        assertEquals(CommandStatus.BAD_SYS_STATE.code(), early.status());
        assertEquals(CommandEntry.OWNER_SW, early.entry().get(CommandEntry.STATUS_OWN) & CommandEntry.OWNER_HW);
        assertEquals(DeliveryStatus.OK.code(), early.delivery());
        assertEquals(CommandStatus.OK.code(), command(CommandOpcode.ENABLE_HCA, 0).status());
        Done issi = command(CommandOpcode.QUERY_ISSI, 0);
        assertEquals(0b11, issi.output().getInt(0x6c), "ISSI 0 and 1 supported");
        Done caps = command(CommandOpcode.QUERY_HCA_CAP, 0);
        assertEquals(GeneralCapabilities.DEVICE_FREQUENCY_KHZ,
                GeneralCapabilities.get(caps.output(), 0x10, GeneralCapabilities.Field.DEVICE_FREQUENCY_KHZ));
        assertEquals(GeneralCapabilities.PORT_TYPE_ETHERNET,
                GeneralCapabilities.get(caps.output(), 0x10, GeneralCapabilities.Field.PORT_TYPE));
        assertEquals(4, GeneralCapabilities.get(caps.output(), 0x10, GeneralCapabilities.Field.LOG_MAX_EQ), "16 EQs");
        assertEquals(CommandStatus.NO_RESOURCES.code(), command(CommandOpcode.INIT_HCA, 0).status(), "no pages given yet");
        assertEquals(HcaState.ENABLED, engine.hcaState());
        assertEquals(List.of(), fired, "without a command EQ the driver polls: no interrupt");
    }

    @Test
    void pagesAreKeptAndGivenBackOnTake() {
        initialize();
        assertEquals(Firmware.BOOT_PAGES + Firmware.INIT_PAGES, engine.state().commands().firmwarePages().size());
        assertEquals(CommandStatus.OK.code(), command(CommandOpcode.TEARDOWN_HCA, 0).status());
        byte[] take = message(CommandOpcode.MANAGE_PAGES, 2, 0x10);
        ByteBuffer.wrap(take).putInt(0x0c, 100);
        Done taken = command(take, take.length, 0x10 + 100 * 8);
        assertEquals(CommandStatus.OK.code(), taken.status());
        assertEquals(32, taken.output().getInt(0x08), "every page comes back");
        assertEquals(PAGES + 64L * 0x1000, taken.output().getLong(0x10), "in the order given");
        assertTrue(engine.state().commands().firmwarePages().isEmpty());
        assertEquals(CommandStatus.OK.code(), command(CommandOpcode.DISABLE_HCA, 0).status());
        assertEquals(HcaState.DISABLED, engine.hcaState());
    }

    @Test
    void commandEventsGoToTheCommandEqOnceItExists() {
        int uar = initialize();
        Done created = createEq(uar, 1, 1L << EventQueueEntry.COMMAND, EQ_RING);
        assertEquals(CommandStatus.OK.code(), created.status());
        assertEquals(1, memory.bytes.get(memory.at(EQ_RING) + EventQueueEntry.OWNER), "the creating command is not announced");
        assertEquals(CommandStatus.OK.code(), command(CommandOpcode.ALLOC_PD, 0).status());
        ByteBuffer eqe = memory.bytes.duplicate().order(ByteOrder.BIG_ENDIAN);
        assertEquals(EventQueueEntry.COMMAND, EventQueueEntry.type(eqe, memory.at(EQ_RING)));
        assertEquals(1, eqe.getInt(memory.at(EQ_RING) + EventQueueEntry.COMMAND_SLOTS), "slot 0");
        assertEquals(0, EventQueueEntry.ownerBit(eqe, memory.at(EQ_RING)), "first pass writes owner 0");
        assertEquals(List.of(1), fired);
    }

    @Test
    void longCommandsUseMailboxChainsAndBrokenChainsAreNotDelivered() {
        command(CommandOpcode.ENABLE_HCA, 0);
        Done caps = command(CommandOpcode.QUERY_HCA_CAP, 1);
        assertEquals(18, GeneralCapabilities.get(caps.output(), 0x10, GeneralCapabilities.Field.LOG_MAX_QP));
        byte[] set = message(CommandOpcode.SET_HCA_CAP, 0, CommandOpcode.SET_HCA_CAP.inputLength());
        caps.output().get(0x10, set, 0x10, GeneralCapabilities.SIZE);
        GeneralCapabilities.set(ByteBuffer.wrap(set), 0x10, GeneralCapabilities.Field.LOG_MAX_QP, 12);
        GeneralCapabilities.set(ByteBuffer.wrap(set), 0x10, GeneralCapabilities.Field.DEVICE_FREQUENCY_KHZ, 5);
        assertEquals(CommandStatus.OK.code(), command(set, set.length, 0x10).status());
        Done after = command(CommandOpcode.QUERY_HCA_CAP, 1);
        assertEquals(12, GeneralCapabilities.get(after.output(), 0x10, GeneralCapabilities.Field.LOG_MAX_QP), "settable");
        assertEquals(GeneralCapabilities.DEVICE_FREQUENCY_KHZ,
                GeneralCapabilities.get(after.output(), 0x10, GeneralCapabilities.Field.DEVICE_FREQUENCY_KHZ), "read-only");
        // a chain whose second block claims the wrong number
        CommandMailbox.writeChain(memory.bytes, memory::at, IN_MAILBOXES, set, set.length, 7);
        memory.bytes.duplicate().order(ByteOrder.BIG_ENDIAN).putInt(memory.at(IN_MAILBOXES + CommandMailbox.ALIGNMENT)
                + CommandMailbox.BLOCK_NUMBER, 5);
        ByteBuffer entry = memory.bytes.slice(memory.at(CMDQ), CommandEntry.SIZE).order(ByteOrder.BIG_ENDIAN);
        new CommandEntry(CommandEntry.PCIE_TRANSPORT, set.length, IN_MAILBOXES, java.util.Arrays.copyOf(set, 16), 0, 16, 7)
                .encode(entry);
        init.write(InitializationSegment.CMD_DOORBELL, 1);
        settle();
        assertEquals(DeliveryStatus.BAD_BLOCK_NUMBER.code() << 1, entry.get(CommandEntry.STATUS_OWN) & 0xFF);
        entry.put(CommandEntry.TYPE, (byte) 3).put(CommandEntry.STATUS_OWN, (byte) 1);
        init.write(InitializationSegment.CMD_DOORBELL, 1);
        settle();
        assertEquals(DeliveryStatus.DESCRIPTOR_ERROR.code() << 1, entry.get(CommandEntry.STATUS_OWN) & 0xFF);
    }

    @Test
    void guestMemoryVanishingUnderTheEngineIsADmaFaultAndTheEngineGoesOn() {
        port = new dev.vfiosim.simulator.dma.Dma() {
            @Override
            public void read(long iova, ByteBuffer dst) {
                throw new InternalError("a fault occurred in an unsafe memory access operation");
            }

            @Override
            public void write(long iova, ByteBuffer src) {
                throw new InternalError("a fault occurred in an unsafe memory access operation");
            }
        };
        Done lost = command(CommandOpcode.ENABLE_HCA, 0);
        assertEquals(1, engine.state().commands().dmaFaults(), "counted as a DMA fault");
        assertEquals(CommandEntry.OWNER_HW, lost.entry().get(CommandEntry.STATUS_OWN) & 1, "the entry could not be handed back");
        port = memory;
        assertEquals(CommandStatus.OK.code(), command(CommandOpcode.ENABLE_HCA, 0).status(), "the engine still serves");
    }

    @Test
    void stateRecordsThatNoDeviceCouldHaveAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EventQueueState(99, List.of(new GuestPage(0x1000)), 0, 3, 0, 0,
                32, 0, 0, false, 0, 0, 0), "EQ number beyond the limit");
        assertThrows(IllegalArgumentException.class, () -> new EventQueueState(0, List.of(), 0, 3, 0, 0, 32, 0, 0, false, 0,
                0, 0), "a page list that does not hold the ring");
        assertThrows(IllegalArgumentException.class, () -> new FirmwareObject(FirmwareObject.Kind.UAR, 40));
        assertThrows(IllegalArgumentException.class, () -> new CapabilitySetting("DEVICE_FREQUENCY_KHZ", 1));
    }

    @Test
    void malformedCommandsGetStatusesNotExceptions() {
        int uar = initialize();
        assertEquals(CommandStatus.BAD_OP.code(), command(new byte[] {0x01, 0x23, 0, 0, 0, 0, 0, 0}, 8, 16).status());
        assertEquals(CommandStatus.BAD_INPUT_LEN.code(), command(message(CommandOpcode.CREATE_EQ, 0, 16), 16, 16).status());
        assertEquals(CommandStatus.BAD_OUTPUT_LEN.code(), command(message(CommandOpcode.QUERY_ISSI, 0, 16), 16, 16).status());
        Done vector = createEq(uar, 4, 1, EQ_RING);
        assertEquals(CommandStatus.BAD_PARAM.code(), vector.status());
        assertEquals(CommandOpcode.CREATE_EQ.code() << 16 | EqContext.INTR, vector.syndrome());
        assertEquals(CommandStatus.BAD_PARAM.code(), createEq(uar, 0, 1, EQ_RING + 8).status(), "unaligned page");
        assertEquals(CommandStatus.BAD_PARAM.code(), createEq(uar + 1, 0, 1, EQ_RING).status(), "UAR not allocated");
        assertEquals(CommandStatus.BAD_RESOURCE.code(), command(CommandOpcode.CREATE_CQ,
                new QueueCreateInput(CQ_RING, CQ_RECORD, 3, 0, LOG, 0).encode(CommandOpcode.CREATE_CQ)).status(), "no such EQ");
        assertEquals(CommandStatus.BAD_PARAM.code(), command(CommandOpcode.QUERY_VPORT_COUNTER,
                new CounterQuery(9, false, 0).encode()).status());
        assertEquals(8, engine.state().commands().failed());
    }

    @Test
    void eachSentPacketLandsInTheNextReceiveBufferWithCompletionsAndAnEvent() {
        int[] q = bringUpWithLoopback();
        byte[] packet = "sequence 0 payload".getBytes();
        memory.bytes.put(memory.at(TX), packet);
        postReceive(0, 0x100);
        memory.bytes.putInt(memory.at(CQ_RECORD), 0);
        doorbells.write(DoorbellPage.CQ_DOORBELL, q[1]);
        settle();
        postSend(0, TX, packet.length, q[3]);
        settle();
        byte[] received = new byte[packet.length];
        memory.bytes.get(memory.at(RX), received);
        assertEquals(new String(packet), new String(received));
        CompletionQueueEntry rx = cqe(0);
        CompletionQueueEntry tx = cqe(1);
        assertEquals(CompletionQueueEntry.RESPONDER_SEND, rx.opcode());
        assertEquals(packet.length, rx.byteCount());
        assertEquals(q[2], rx.queueNumber());
        assertEquals(CompletionQueueEntry.REQUESTER, tx.opcode());
        assertEquals(1, tx.owner(), "first pass over the ring writes phase 1");
        assertEquals(42, tx.timestamp());
        ByteBuffer eqe = memory.bytes.duplicate().order(ByteOrder.BIG_ENDIAN);
        assertEquals(EventQueueEntry.COMPLETION, EventQueueEntry.type(eqe, memory.at(EQ_RING)));
        assertEquals(q[1], eqe.getInt(memory.at(EQ_RING) + EventQueueEntry.COMPLETION_CQ));
        assertTrue(fired.contains(VECTOR));
        SendQueueState sq = engine.state().sendQueues().get(0);
        assertEquals(new QueueCounters(1, packet.length, 0, 0), sq.counters());
        assertEquals(1, sq.consumer());
    }

    @Test
    void dmaFaultsBecomeErrorCompletionsAndTheQueueGoesOn() {
        int[] q = bringUpWithLoopback();
        postReceive(0, 0x100);
        postSend(0, 0xdead_0000L, 64, q[3]);
        settle();
        CompletionQueueEntry error = cqe(0);
        assertEquals(CompletionQueueEntry.REQUESTER_ERROR, error.opcode());
        assertEquals(CompletionQueueEntry.LOCAL_PROTECTION_ERROR, error.syndrome());
        postSend(1, TX, 0x200, q[3]);
        settle();
        assertEquals(CompletionQueueEntry.RESPONDER_ERROR, cqe(1).opcode(), "packet longer than the buffer");
        assertEquals(CompletionQueueEntry.LOCAL_LENGTH_ERROR, cqe(1).syndrome());
        postSend(2, TX, 0x20, q[3]);
        settle();
        assertEquals(CompletionQueueEntry.REQUESTER, cqe(3).opcode(), "no receive buffer: dropped, send still completes");
        EngineState state = engine.state();
        assertEquals(new QueueCounters(2, 0x220, 1, 1), state.sendQueues().get(0).counters());
        assertEquals(new QueueCounters(0, 0, 2, 0), state.receiveQueues().get(0).counters());
    }

    @Test
    void doorbellsRungWhilePausedWaitForResume() {
        int[] q = bringUpWithLoopback();
        postReceive(0, 0x100);
        engine.pause();
        postSend(0, TX, 16, q[3]);
        assertFalse(engine.idle());
        assertEquals(0, engine.state().sendQueues().get(0).consumer(), "nothing moves while paused");
        engine.resume();
        settle();
        assertEquals(1, engine.state().sendQueues().get(0).consumer());
    }

    @Test
    void stateRestoresIntoAnotherEngineAndResetForgetsEverything() {
        bringUpWithLoopback();
        EngineState saved = engine.state();
        InitializationSegment otherInit = new InitializationSegment();
        try (DeviceEngine other = new DeviceEngine("other", otherInit, new DoorbellPage(), () -> memory, fired::add,
                HcaCapabilities.of(4, 0), () -> 0)) {
            assertThrows(IllegalStateException.class, () -> other.restore(saved), "only while paused");
            other.pause();
            other.restore(saved);
            other.resume();
            assertTrue(other.awaitIdle(Duration.ofSeconds(5)));
            assertEquals(saved, other.state());
        }
        engine.reset();
        EngineState cleared = engine.state();
        assertEquals(HcaState.DISABLED, cleared.commands().hca());
        assertTrue(cleared.sendQueues().isEmpty() && cleared.eventQueues().isEmpty());
    }
}
