package dev.vfiosim.simulator.device.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The function's queues by number (0 .. limit-1, lowest free number first), and the rules for
 * creating and destroying them. A failed check throws {@link CommandFailure} naming the input
 * field. Engine thread only.
 */
final class QueueContexts {
    /** Rings start on a page boundary, as mlx5 requires. */
    static final long RING_ALIGNMENT = 4096;

    private final HcaCapabilities caps;
    private final EventQueue[] eqs;
    private final CompletionQueue[] cqs;
    private final SendQueue[] sqs;
    private final ReceiveQueue[] rqs;

    QueueContexts(HcaCapabilities caps) {
        this.caps = caps;
        eqs = new EventQueue[caps.maxEq()];
        cqs = new CompletionQueue[caps.maxCq()];
        sqs = new SendQueue[caps.maxSq()];
        rqs = new ReceiveQueue[caps.maxRq()];
    }

    /**
     * CREATE_EQ with mlx5's eqc. {@code inputLength} is the command's inlen (the page list must fit);
     * {@code uarAllocated} says whether a UAR index was handed out by ALLOC_UAR.
     */
    int createEq(EqContext in, int inputLength, java.util.function.IntPredicate uarAllocated) {
        if (in.logEqSize() < 1 || in.logEqSize() > caps.logMaxEqSize()) {
            throw fail(CommandStatus.BAD_PARAM, EqContext.LOG_EQ_SIZE_UAR, "log_eq_size " + in.logEqSize() + " is not within 1.."
                    + caps.logMaxEqSize());
        }
        if (in.logPageSize() > EqContext.MAX_LOG_PAGE_SIZE || in.pageOffset() != 0) {
            throw fail(CommandStatus.BAD_PARAM, EqContext.LOG_PAGE_SIZE, "log_page_size " + in.logPageSize()
                    + " above " + EqContext.MAX_LOG_PAGE_SIZE + " or page_offset " + in.pageOffset() + " not 0");
        }
        int needed = EqContext.pagesNeeded(in.logEqSize(), in.logPageSize());
        if (inputLength < EqContext.PAS + needed * Long.BYTES || in.pages().length < needed) {
            throw fail(CommandStatus.BAD_INPUT_LEN, EqContext.PAS, "an EQ of 2^" + in.logEqSize() + " EQEs needs " + needed
                    + " page addresses, the input has room for " + Math.max(0, (inputLength - EqContext.PAS) / Long.BYTES));
        }
        for (int i = 0; i < needed; i++) {
            if (in.pages()[i] % RING_ALIGNMENT != 0) {
                throw fail(CommandStatus.BAD_PARAM, EqContext.PAS + i * Long.BYTES, "page address 0x"
                        + Long.toHexString(in.pages()[i]) + " is not 4 KiB aligned");
            }
        }
        if (in.vector() >= caps.msixVectors()) {
            throw fail(CommandStatus.BAD_PARAM, EqContext.INTR, "MSI-X vector " + in.vector() + " is not below "
                    + caps.msixVectors());
        }
        if (!uarAllocated.test(in.uarPage())) {
            throw fail(CommandStatus.BAD_PARAM, EqContext.LOG_EQ_SIZE_UAR, "UAR " + in.uarPage() + " was not allocated");
        }
        boolean commandEvents = (in.eventMask() >>> EventQueueEntry.COMMAND & 1) != 0;
        if (commandEvents && commandEventQueue() != null) {
            throw fail(CommandStatus.BAD_PARAM, EqContext.EVENT_BITMASK, "EQ " + commandEventQueue().number
                    + " already receives command events");
        }
        int n = free(eqs, "EQ");
        eqs[n] = new EventQueue(n, java.util.Arrays.copyOf(in.pages(), needed), in.logPageSize(), in.logEqSize(), in.vector(),
                in.eventMask(), in.uarPage());
        return n;
    }

    int createCq(QueueCreateInput in) {
        RingGeometry ring = ring(in, caps.logMaxCqSize(), CompletionQueueEntry.SIZE);
        long doorbell = doorbellRecord(in);
        existing(eqs, in.attach(), QueueCreateInput.BODY + QueueCreateInput.ATTACH, "EQ");
        int n = free(cqs, "CQ");
        cqs[n] = new CompletionQueue(n, ring, in.attach(), doorbell);
        return n;
    }

    int createSq(QueueCreateInput in) {
        RingGeometry ring = ring(in, caps.logMaxWqSize(), WorkQueueEntry.SIZE);
        long doorbell = doorbellRecord(in);
        existing(cqs, in.attach(), QueueCreateInput.BODY + QueueCreateInput.ATTACH, "CQ");
        existing(rqs, in.peer(), QueueCreateInput.BODY + QueueCreateInput.PEER, "RQ");
        int n = free(sqs, "SQ");
        sqs[n] = new SendQueue(n, ring, in.attach(), in.peer(), doorbell);
        return n;
    }

    int createRq(QueueCreateInput in) {
        RingGeometry ring = ring(in, caps.logMaxWqSize(), WorkQueueEntry.SIZE);
        long doorbell = doorbellRecord(in);
        existing(cqs, in.attach(), QueueCreateInput.BODY + QueueCreateInput.ATTACH, "CQ");
        int n = free(rqs, "RQ");
        rqs[n] = new ReceiveQueue(n, ring, in.attach(), doorbell);
        return n;
    }

    void destroyEq(int n) {
        existing(eqs, n, CommandOpcode.OBJECT_NUMBER, "EQ");
        busyIf(Arrays.stream(cqs).anyMatch(c -> c != null && c.eventQueue == n), "EQ " + n + " has CQs attached");
        eqs[n] = null;
    }

    void destroyCq(int n) {
        existing(cqs, n, CommandOpcode.OBJECT_NUMBER, "CQ");
        busyIf(Arrays.stream(sqs).anyMatch(s -> s != null && s.completionQueue == n)
                || Arrays.stream(rqs).anyMatch(r -> r != null && r.completionQueue == n), "CQ " + n + " has work queues attached");
        cqs[n] = null;
    }

    void destroySq(int n) {
        existing(sqs, n, CommandOpcode.OBJECT_NUMBER, "SQ");
        sqs[n] = null;
    }

    void destroyRq(int n) {
        existing(rqs, n, CommandOpcode.OBJECT_NUMBER, "RQ");
        busyIf(Arrays.stream(sqs).anyMatch(s -> s != null && s.loopbackReceiveQueue == n), "RQ " + n + " receives an SQ's loopback");
        rqs[n] = null;
    }

    /** QUERY_VPORT_COUNTER's target; {@link CounterQuery#NUMBER} must name an existing SQ or RQ. */
    WorkCounters counters(CounterQuery query) {
        return switch (query.kind()) {
            case CounterQuery.SEND_QUEUE -> existing(sqs, query.queueNumber(), CounterQuery.BODY + CounterQuery.NUMBER, "SQ").counters;
            case CounterQuery.RECEIVE_QUEUE -> existing(rqs, query.queueNumber(), CounterQuery.BODY + CounterQuery.NUMBER, "RQ").counters;
            default -> throw fail(CommandStatus.BAD_PARAM, CounterQuery.BODY + CounterQuery.KIND, "queue kind " + query.kind() + " is not SQ (1) or RQ (2)");
        };
    }

    EventQueue eq(int n) {
        return lookup(eqs, n);
    }

    CompletionQueue cq(int n) {
        return lookup(cqs, n);
    }

    SendQueue sq(int n) {
        return lookup(sqs, n);
    }

    ReceiveQueue rq(int n) {
        return lookup(rqs, n);
    }

    int sendQueueLimit() {
        return sqs.length;
    }

    EventQueue commandEventQueue() {
        return eventQueueTaking(EventQueueEntry.COMMAND);
    }

    /** The first EQ whose event mask has {@code type}, or null. */
    EventQueue eventQueueTaking(int type) {
        return Arrays.stream(eqs).filter(e -> e != null && e.takes(type)).findFirst().orElse(null);
    }

    /** Whether any EQ is on this UAR (DEALLOC_UAR must not pull it from under one). */
    boolean uarInUse(int uar) {
        return Arrays.stream(eqs).anyMatch(e -> e != null && e.uar == uar);
    }

    /** TEARDOWN_HCA and reset: every queue gone. */
    void clear() {
        Arrays.fill(eqs, null);
        Arrays.fill(cqs, null);
        Arrays.fill(sqs, null);
        Arrays.fill(rqs, null);
    }

    List<EventQueueState> eqStates() {
        return states(eqs, EventQueue::state);
    }

    List<CompletionQueueState> cqStates() {
        return states(cqs, CompletionQueue::state);
    }

    List<SendQueueState> sqStates() {
        return states(sqs, SendQueue::state);
    }

    List<ReceiveQueueState> rqStates() {
        return states(rqs, ReceiveQueue::state);
    }

    void restore(EngineState s) {
        clear();
        s.eventQueues().forEach(q -> eqs[q.number()] = EventQueue.restore(q));
        s.completionQueues().forEach(q -> cqs[q.number()] = CompletionQueue.restore(q));
        s.sendQueues().forEach(q -> sqs[q.number()] = SendQueue.restore(q));
        s.receiveQueues().forEach(q -> rqs[q.number()] = ReceiveQueue.restore(q));
    }

    private static <T, S> List<S> states(T[] table, Function<T, S> describe) {
        List<S> out = new ArrayList<>();
        Arrays.stream(table).filter(Objects::nonNull).forEach(q -> out.add(describe.apply(q)));
        return List.copyOf(out);
    }

    private static RingGeometry ring(QueueCreateInput in, int logMax, int entrySize) {
        if (in.logSize() < 1 || in.logSize() > logMax) {
            throw fail(CommandStatus.BAD_PARAM, QueueCreateInput.BODY + QueueCreateInput.LOG_SIZE, "log size " + in.logSize() + " is not within 1.." + logMax);
        }
        if (in.ringIova() % RING_ALIGNMENT != 0) {
            throw fail(CommandStatus.BAD_PARAM, QueueCreateInput.BODY + QueueCreateInput.RING_IOVA, "ring IOVA 0x" + Long.toHexString(in.ringIova())
                    + " is not 4 KiB aligned");
        }
        return new RingGeometry(in.ringIova(), in.logSize(), entrySize);
    }

    private static long doorbellRecord(QueueCreateInput in) {
        if (in.doorbellRecordIova() == 0 || in.doorbellRecordIova() % Integer.BYTES != 0) {
            throw fail(CommandStatus.BAD_PARAM, QueueCreateInput.BODY + QueueCreateInput.DOORBELL_RECORD, "doorbell record IOVA 0x"
                    + Long.toHexString(in.doorbellRecordIova()) + " is 0 or not 4-byte aligned");
        }
        return in.doorbellRecordIova();
    }

    private static <T> T lookup(T[] table, int n) {
        return n >= 0 && n < table.length ? table[n] : null;
    }

    private static <T> T existing(T[] table, int n, int field, String kind) {
        T q = lookup(table, n);
        if (q == null) {
            throw fail(CommandStatus.BAD_RESOURCE, field, kind + " " + Integer.toUnsignedString(n) + " does not exist");
        }
        return q;
    }

    private static int free(Object[] table, String kind) {
        for (int i = 0; i < table.length; i++) {
            if (table[i] == null) {
                return i;
            }
        }
        throw CommandFailure.of(CommandStatus.EXCEED_LIM, "all " + table.length + " " + kind + "s exist already");
    }

    private static void busyIf(boolean busy, String why) {
        if (busy) {
            throw CommandFailure.of(CommandStatus.RESOURCE_BUSY, why);
        }
    }

    private static CommandFailure fail(CommandStatus status, int field, String why) {
        return new CommandFailure(status, field, why);
    }
}
