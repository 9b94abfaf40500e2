package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.device.InitializationSegment;
import dev.vfiosim.simulator.dma.DmaFaultException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes command queue entries: reads the rung slot from guest memory, checks opcode, lengths,
 * HCA state and parameters, acts on the queues, writes output + syndrome + status, then hands the
 * entry back (ownership SW) and announces the completion: a COMMAND EQE on the EQ created with
 * command events, or MSI-X vector {@link #COMMAND_VECTOR} while there is none. A malformed command
 * gets an mlx5 status; nothing a driver writes makes it throw. Engine thread only.
 */
final class CommandInterface {
    private static final Logger LOG = LoggerFactory.getLogger(CommandInterface.class);
    /** The vector that announces command completions before an EQ takes them over. */
    static final int COMMAND_VECTOR = 0;
    static final int SLOTS = 1 << InitializationSegment.LOG_CMDQ_SIZE;
    private static final int OPCODE_SHIFT = 16;

    private final InitializationSegment initSegment;
    private final QueueContexts queues;
    private final DeviceDma dma;
    private final IntConsumer fire;
    private final HcaCapabilities caps;
    private final ByteBuffer result = ByteBuffer.allocateDirect(CommandEntry.RESULT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private HcaState hca = HcaState.DISABLED;
    private long executed;
    private long failed;
    private long ignored;
    private long dmaFaults;

    CommandInterface(InitializationSegment initSegment, QueueContexts queues, DeviceDma dma, IntConsumer fire,
            HcaCapabilities caps) {
        this.initSegment = initSegment;
        this.queues = queues;
        this.dma = dma;
        this.fire = fire;
        this.caps = caps;
    }

    /** Executes the entry in {@code slot} (0..31), if the driver handed it to HW. */
    void execute(int slot) {
        if (initSegment.initializing()) {
            ignored++;
            LOG.warn("command doorbell for slot {} before the driver set the command queue address; ignored", slot);
            return;
        }
        long at = initSegment.commandQueueAddress() + (long) slot * CommandEntry.SIZE;
        CommandEntry entry;
        try {
            ByteBuffer raw = dma.read(at, CommandEntry.SIZE);
            if (!CommandEntry.ownedByHardware(raw)) {
                ignored++;
                LOG.debug("command slot {} rung but owned by SW; ignored", slot);
                return;
            }
            entry = CommandEntry.decode(raw);
        } catch (DmaFaultException e) {
            dmaFaults++;
            LOG.warn("command slot {}: {}", slot, e.getMessage());
            return;
        }
        byte[] output = new byte[CommandEntry.OUTPUT_SIZE];
        CommandStatus status = CommandStatus.OK;
        int syndrome = 0;
        try {
            run(entry, ByteBuffer.wrap(output).order(ByteOrder.LITTLE_ENDIAN));
        } catch (CommandFailure f) {
            status = f.status();
            syndrome = entry.opcode() << OPCODE_SHIFT | f.field();
            failed++;
            LOG.info("command 0x{} in slot {} failed with {} (syndrome 0x{}): {}", Integer.toHexString(entry.opcode()), slot,
                    status, Integer.toHexString(syndrome), f.getMessage());
        }
        executed++;
        try {
            CommandEntry.encodeResult(result, output, syndrome, status);
            dma.write(at + CommandEntry.OUTPUT, result);
            dma.writeByte(at + CommandEntry.OWNERSHIP, (byte) CommandEntry.OWNER_SW);
        } catch (DmaFaultException e) {
            dmaFaults++;
            LOG.warn("command slot {} result: {}", slot, e.getMessage());
            return;
        }
        EventQueue events = queues.commandEventQueue();
        if (events != null) {
            events.post(dma, EventQueueEntry.COMMAND, 1 << slot, fire);
        } else {
            fire.accept(COMMAND_VECTOR);
        }
    }

    private void run(CommandEntry entry, ByteBuffer output) {
        CommandOpcode op = CommandOpcode.of(entry.opcode());
        if (op == null) {
            throw CommandFailure.of(CommandStatus.BAD_OP, "unknown opcode 0x" + Integer.toHexString(entry.opcode()));
        }
        if (entry.inputLength() < op.inputLength() || entry.inputLength() > CommandEntry.INPUT_SIZE) {
            throw CommandFailure.of(CommandStatus.BAD_INPUT_LEN, op + " needs " + op.inputLength() + " input bytes, got "
                    + entry.inputLength());
        }
        if (entry.outputLength() < op.outputLength() || entry.outputLength() > CommandEntry.OUTPUT_SIZE) {
            throw CommandFailure.of(CommandStatus.BAD_OUTPUT_LEN, op + " needs " + op.outputLength() + " output bytes, got "
                    + entry.outputLength());
        }
        requireState(op);
        ByteBuffer input = entry.inputBuffer();
        switch (op) {
            case ENABLE_HCA -> hca = HcaState.ENABLED;
            case INIT_HCA -> hca = HcaState.INITIALIZED;
            case TEARDOWN_HCA -> {
                queues.clear();
                hca = HcaState.DISABLED;
            }
            case QUERY_HCA_CAP -> caps.encode(output);
            case CREATE_EQ -> output.putInt(CommandOpcode.QUEUE_NUMBER, queues.createEq(QueueCreateInput.decode(input)));
            case CREATE_CQ -> output.putInt(CommandOpcode.QUEUE_NUMBER, queues.createCq(QueueCreateInput.decode(input)));
            case CREATE_SQ -> output.putInt(CommandOpcode.QUEUE_NUMBER, queues.createSq(QueueCreateInput.decode(input)));
            case CREATE_RQ -> output.putInt(CommandOpcode.QUEUE_NUMBER, queues.createRq(QueueCreateInput.decode(input)));
            case DESTROY_EQ -> queues.destroyEq(input.getInt(CommandOpcode.QUEUE_NUMBER));
            case DESTROY_CQ -> queues.destroyCq(input.getInt(CommandOpcode.QUEUE_NUMBER));
            case DESTROY_SQ -> queues.destroySq(input.getInt(CommandOpcode.QUEUE_NUMBER));
            case DESTROY_RQ -> queues.destroyRq(input.getInt(CommandOpcode.QUEUE_NUMBER));
            case QUERY_VPORT_COUNTER -> {
                CounterQuery query = CounterQuery.decode(input);
                WorkCounters counters = queues.counters(query);
                counters.snapshot().encode(output);
                if (query.clear()) {
                    counters.clear();
                }
            }
        }
    }

    private void requireState(CommandOpcode op) {
        boolean allowed = switch (op) {
            case ENABLE_HCA -> hca == HcaState.DISABLED;
            case INIT_HCA -> hca == HcaState.ENABLED;
            case QUERY_HCA_CAP, TEARDOWN_HCA -> hca != HcaState.DISABLED;
            default -> hca == HcaState.INITIALIZED;
        };
        if (!allowed) {
            throw CommandFailure.of(CommandStatus.BAD_SYS_STATE, op + " is not accepted while the function is " + hca);
        }
    }

    HcaState hca() {
        return hca;
    }

    CommandInterfaceState state() {
        return new CommandInterfaceState(hca, executed, failed, ignored, dmaFaults);
    }

    void restore(CommandInterfaceState s) {
        hca = s.hca();
        executed = s.executed();
        failed = s.failed();
        ignored = s.ignored();
        dmaFaults = s.dmaFaults();
    }

    /** Function reset: disabled, counters from zero. */
    void reset() {
        restore(new CommandInterfaceState(HcaState.DISABLED, 0, 0, 0, 0));
    }
}
