package dev.vfiosim.simulator.device.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.device.InitializationSegment;
import java.nio.ByteBuffer;
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
    static final int LOG = 3;
    static final int VECTOR = 2;

    final FakeGuestMemory memory = new FakeGuestMemory(BASE, 0x10000);
    final InitializationSegment init = new InitializationSegment();
    final DoorbellPage doorbells = new DoorbellPage();
    final List<Integer> fired = new CopyOnWriteArrayList<>();
    DeviceEngine engine;

    @BeforeEach
    void start() {
        engine = new DeviceEngine("test-engine", init, doorbells, () -> memory, fired::add, HcaCapabilities.of(4, 0),
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

    /** Posts a command in slot 0, rings, waits; returns the entry as the device left it. */
    private ByteBuffer command(int opcode, byte[] input, int inLength, int outLength) {
        ByteBuffer entry = memory.bytes.slice(memory.at(CMDQ), CommandEntry.SIZE).order(memory.bytes.order());
        new CommandEntry(opcode, inLength, outLength, input).encode(entry);
        init.write(InitializationSegment.CMD_DOORBELL, 1);
        settle();
        return entry;
    }

    private ByteBuffer command(CommandOpcode op, byte[] input) {
        return command(op.code(), input, op.inputLength(), op.outputLength());
    }

    private static int status(ByteBuffer entry) {
        return entry.get(CommandEntry.STATUS);
    }

    private int create(CommandOpcode op, QueueCreateInput input) {
        ByteBuffer e = command(op, input.encode());
        assertEquals(CommandStatus.OK.code(), status(e), op + " failed, syndrome 0x" + Integer.toHexString(e.getInt(CommandEntry.SYNDROME)));
        return e.getInt(CommandEntry.OUTPUT + CommandOpcode.QUEUE_NUMBER);
    }

    private int[] bringUpWithLoopback() {
        command(CommandOpcode.ENABLE_HCA, new byte[0]);
        command(CommandOpcode.INIT_HCA, new byte[0]);
        int eq = create(CommandOpcode.CREATE_EQ, new QueueCreateInput(EQ_RING, 0, VECTOR, 0, LOG, 0));
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
        ByteBuffer early = command(CommandOpcode.INIT_HCA, new byte[0]);
        assertEquals(CommandStatus.BAD_SYS_STATE.code(), status(early));
        assertEquals(CommandEntry.OWNER_SW, early.get(CommandEntry.OWNERSHIP));
        assertEquals(CommandStatus.OK.code(), status(command(CommandOpcode.ENABLE_HCA, new byte[0])));
        ByteBuffer caps = command(CommandOpcode.QUERY_HCA_CAP, new byte[0]);
        assertEquals(HcaCapabilities.of(4, 0), HcaCapabilities.decode(caps.slice(CommandEntry.OUTPUT, CommandEntry.OUTPUT_SIZE)
                .order(memory.bytes.order())));
        assertEquals(CommandStatus.OK.code(), status(command(CommandOpcode.INIT_HCA, new byte[0])));
        assertEquals(HcaState.INITIALIZED, engine.hcaState());
        assertEquals(List.of(0, 0, 0, 0), fired, "without a command EQ, completions raise vector 0");
        assertEquals(CommandStatus.OK.code(), status(command(CommandOpcode.TEARDOWN_HCA, new byte[0])));
        assertEquals(HcaState.DISABLED, engine.hcaState());
    }

    @Test
    void malformedCommandsGetStatusesNotExceptions() {
        command(CommandOpcode.ENABLE_HCA, new byte[0]);
        command(CommandOpcode.INIT_HCA, new byte[0]);
        assertEquals(CommandStatus.BAD_OP.code(), status(command(0x123, new byte[0], 0, 0)));
        assertEquals(CommandStatus.BAD_INPUT_LEN.code(), status(command(CommandOpcode.CREATE_EQ.code(), new byte[0], 1, 4)));
        assertEquals(CommandStatus.BAD_OUTPUT_LEN.code(), status(command(CommandOpcode.CREATE_EQ.code(), new byte[0], 24, 0)));
        ByteBuffer vector = command(CommandOpcode.CREATE_EQ, new QueueCreateInput(EQ_RING, 0, 4, 0, LOG, 0).encode());
        assertEquals(CommandStatus.BAD_PARAM.code(), status(vector));
        assertEquals(CommandOpcode.CREATE_EQ.code() << 16 | QueueCreateInput.ATTACH, vector.getInt(CommandEntry.SYNDROME));
        assertEquals(CommandStatus.BAD_PARAM.code(), status(command(CommandOpcode.CREATE_EQ,
                new QueueCreateInput(EQ_RING + 8, 0, 0, 0, LOG, 0).encode())), "unaligned ring");
        assertEquals(CommandStatus.BAD_RESOURCE.code(), status(command(CommandOpcode.CREATE_CQ,
                new QueueCreateInput(CQ_RING, CQ_RECORD, 3, 0, LOG, 0).encode())), "no such EQ");
        assertEquals(CommandStatus.BAD_PARAM.code(), status(command(CommandOpcode.QUERY_VPORT_COUNTER,
                new CounterQuery(9, false, 0).encode())));
        assertEquals(7, engine.state().commands().failed());
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
        EventQueueEntry event = EventQueueEntry.decode(memory.bytes, memory.at(EQ_RING));
        assertEquals(EventQueueEntry.COMPLETION, event.type());
        assertEquals(q[1], event.data());
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
