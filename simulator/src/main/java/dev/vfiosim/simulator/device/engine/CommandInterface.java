package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.device.InitializationSegment;
import dev.vfiosim.simulator.dma.DmaFaultException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mlx5's command transport: reads the rung slot's {@link CommandEntry} from guest memory, gathers
 * the input from the inline bytes and the input mailbox chain, lets the {@link Firmware} execute
 * it, scatters the output (status, syndrome, fields) into the inline bytes and the output mailbox
 * chain, then hands the entry back in a separate write of status_own (ownership SW plus the
 * delivery status). If an EQ takes command events (event type 0x0a in its mask) and existed before
 * the command started, a COMMAND EQE with the slot's bit announces the completion; otherwise the
 * driver polls ownership (mlx5's polling mode). Nothing a driver writes makes it throw. Engine thread only.
 */
final class CommandInterface {
    private static final Logger LOG = LoggerFactory.getLogger(CommandInterface.class);
    static final int SLOTS = 1 << InitializationSegment.LOG_CMDQ_SIZE;
    /** The longest command message (input or output) the device takes: 2^20 bytes, the log_max_msg it reports. */
    static final int MAX_MESSAGE = 1 << 20;
    private static final int OPCODE_SHIFT = 16;

    private final InitializationSegment initSegment;
    private final QueueContexts queues;
    private final DeviceDma dma;
    private final IntConsumer fire;
    private final Firmware firmware;
    private final ByteBuffer block = ByteBuffer.allocateDirect(CommandMailbox.SIZE).order(ByteOrder.BIG_ENDIAN);
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
        this.firmware = new Firmware(queues, caps);
    }

    /** A mailbox chain that is not what the entry promised: the command is not delivered. */
    private static final class Undeliverable extends RuntimeException {
        final DeliveryStatus status;

        Undeliverable(DeliveryStatus status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    /** Executes the entry in {@code slot} (0..31), if the driver handed it to HW. */
    void execute(int slot) {
        if (!initSegment.commandQueueSet()) {
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
        // an EQ created by this very command does not hear about it (mlx5 is still polling then)
        EventQueue events = queues.commandEventQueue();
        DeliveryStatus delivery;
        try {
            delivery = deliver(slot, at, entry);
        } catch (DmaFaultException e) {
            dmaFaults++;
            LOG.warn("command slot {} mailbox: {}", slot, e.getMessage());
            delivery = DeliveryStatus.FIRMWARE_ERROR;
        }
        try {
            dma.writeByte(at + CommandEntry.STATUS_OWN, CommandEntry.statusOwn(delivery));
        } catch (DmaFaultException e) {
            dmaFaults++;
            LOG.warn("command slot {} status: {}", slot, e.getMessage());
            return;
        }
        if (events != null && queues.eq(events.number) == events) {
            events.post(dma, EventQueueEntry.COMMAND, EventQueueEntry.COMMAND_SLOTS, 1 << slot, fire);
        }
        requestPagesIfDue();
    }

    /** Once initialised and an EQ takes page requests, the function asks for its regular pages (function id 0). */
    private void requestPagesIfDue() {
        EventQueue pages = queues.eventQueueTaking(EventQueueEntry.PAGE_REQUEST);
        int wanted = firmware.pageRequestDue();
        if (pages != null && wanted > 0) {
            pages.post(dma, EventQueueEntry.PAGE_REQUEST, EventQueueEntry.PAGE_COUNT, wanted, fire);
            firmware.pageRequestPosted();
            LOG.debug("asked for {} pages on EQ {}", wanted, pages.number);
        }
    }

    /** Gathers, runs and scatters one command; returns the delivery status for status_own. */
    private DeliveryStatus deliver(int slot, long at, CommandEntry entry) {
        DeliveryStatus refused = checkEntry(entry);
        if (refused != DeliveryStatus.OK) {
            failed++;
            LOG.info("command slot {} not delivered: {} (type 0x{}, inlen {}, outlen {})", slot, refused,
                    Integer.toHexString(entry.type()), entry.inputLength(), entry.outputLength());
            return refused;
        }
        ByteBuffer input;
        try {
            input = gather(entry);
        } catch (Undeliverable u) {
            failed++;
            LOG.info("command slot {} not delivered: {}: {}", slot, u.status, u.getMessage());
            return u.status;
        }
        ByteBuffer output = ByteBuffer.allocate(entry.outputLength()).order(ByteOrder.BIG_ENDIAN);
        int opcode = Short.toUnsignedInt(input.getShort(CommandEntry.OPCODE));
        int opMod = Short.toUnsignedInt(input.getShort(CommandEntry.OP_MOD));
        executed++;
        try {
            run(opcode, opMod, input, output);
        } catch (CommandFailure f) {
            failed++;
            java.util.Arrays.fill(output.array(), (byte) 0);
            int syndrome = opcode << OPCODE_SHIFT | f.field();
            output.put(CommandEntry.STATUS, (byte) f.status().code()).putInt(CommandEntry.SYNDROME, syndrome);
            LOG.info("command 0x{} (op_mod 0x{}) in slot {} failed with {} (syndrome 0x{}): {}", Integer.toHexString(opcode),
                    Integer.toHexString(opMod), slot, f.status(), Integer.toHexString(syndrome), f.getMessage());
        }
        try {
            scatter(entry, output);
        } catch (Undeliverable u) {
            LOG.info("command slot {} output not delivered: {}: {}", slot, u.status, u.getMessage());
            return u.status;
        }
        byte[] inline = new byte[CommandEntry.INLINE_SIZE];
        output.get(0, inline, 0, Math.min(inline.length, output.limit()));
        dma.write(at + CommandEntry.OUTPUT, ByteBuffer.wrap(inline));
        return DeliveryStatus.OK;
    }

    private static DeliveryStatus checkEntry(CommandEntry entry) {
        if (entry.type() != CommandEntry.PCIE_TRANSPORT) {
            return DeliveryStatus.DESCRIPTOR_ERROR;
        }
        if (entry.inputLength() < CommandEntry.HEADER || entry.inputLength() > MAX_MESSAGE) {
            return DeliveryStatus.INPUT_LENGTH_ERROR;
        }
        if (entry.outputLength() < CommandEntry.HEADER || entry.outputLength() > MAX_MESSAGE) {
            return DeliveryStatus.OUTPUT_LENGTH_ERROR;
        }
        if (entry.inputLength() > CommandEntry.INLINE_SIZE && entry.inputPointer() % CommandMailbox.ALIGNMENT != 0) {
            return DeliveryStatus.INPUT_POINTER_ALIGNMENT;
        }
        if (entry.outputLength() > CommandEntry.INLINE_SIZE && entry.outputPointer() % CommandMailbox.ALIGNMENT != 0) {
            return DeliveryStatus.OUTPUT_POINTER_ALIGNMENT;
        }
        return DeliveryStatus.OK;
    }

    /** The whole input message: 16 inline bytes, then each input mailbox's 512 data bytes. */
    private ByteBuffer gather(CommandEntry entry) {
        ByteBuffer input = ByteBuffer.allocate(entry.inputLength()).order(ByteOrder.BIG_ENDIAN);
        input.put(0, entry.inlineInput(), 0, Math.min(CommandEntry.INLINE_SIZE, entry.inputLength()));
        long next = entry.inputPointer();
        int blocks = CommandMailbox.blocksFor(entry.inputLength());
        for (int i = 0; i < blocks; i++) {
            readBlock(next, i, DeliveryStatus.INPUT_POINTER_ALIGNMENT);
            if (Byte.toUnsignedInt(block.get(CommandMailbox.TOKEN)) != entry.token()) {
                throw new Undeliverable(DeliveryStatus.TOKEN_ERROR, "input block " + i + " carries token "
                        + Byte.toUnsignedInt(block.get(CommandMailbox.TOKEN)) + ", the entry " + entry.token());
            }
            int from = CommandEntry.INLINE_SIZE + i * CommandMailbox.DATA_SIZE;
            int n = Math.min(CommandMailbox.DATA_SIZE, entry.inputLength() - from);
            input.put(from, block, 0, n);
            next = block.getLong(CommandMailbox.NEXT);
        }
        return input;
    }

    /** Writes output bytes 16.. into the output mailbox chain (data only: next pointers and tokens are the driver's). */
    private void scatter(CommandEntry entry, ByteBuffer output) {
        long next = entry.outputPointer();
        int blocks = CommandMailbox.blocksFor(entry.outputLength());
        for (int i = 0; i < blocks; i++) {
            long here = next;
            readBlock(here, i, DeliveryStatus.OUTPUT_POINTER_ALIGNMENT);
            next = block.getLong(CommandMailbox.NEXT);
            int from = CommandEntry.INLINE_SIZE + i * CommandMailbox.DATA_SIZE;
            int n = Math.min(CommandMailbox.DATA_SIZE, entry.outputLength() - from);
            dma.write(here, output.slice(from, n));
        }
    }

    private void readBlock(long iova, int number, DeliveryStatus misaligned) {
        if (iova == 0 || iova % CommandMailbox.ALIGNMENT != 0) {
            throw new Undeliverable(misaligned, "mailbox block " + number + " at 0x" + Long.toHexString(iova)
                    + " is missing or not 1 KiB aligned");
        }
        block.clear();
        dma.read(iova, block);
        block.clear();
        if (block.getInt(CommandMailbox.BLOCK_NUMBER) != number) {
            throw new Undeliverable(DeliveryStatus.BAD_BLOCK_NUMBER, "block at 0x" + Long.toHexString(iova) + " says it is number "
                    + block.getInt(CommandMailbox.BLOCK_NUMBER) + ", expected " + number);
        }
    }

    private void run(int opcode, int opMod, ByteBuffer input, ByteBuffer output) {
        CommandOpcode op = CommandOpcode.of(opcode);
        if (op == null || !firmware.supports(op)) {
            throw CommandFailure.of(CommandStatus.BAD_OP, "unknown opcode 0x" + Integer.toHexString(opcode));
        }
        if (input.limit() < op.inputLength()) {
            throw CommandFailure.of(CommandStatus.BAD_INPUT_LEN, op + " needs " + op.inputLength() + " input bytes, got "
                    + input.limit());
        }
        if (output.limit() < op.outputLength()) {
            throw CommandFailure.of(CommandStatus.BAD_OUTPUT_LEN, op + " needs " + op.outputLength() + " output bytes, got "
                    + output.limit());
        }
        firmware.run(op, opMod, input, output);
        LOG.debug("command {} (op_mod 0x{}) done", op, Integer.toHexString(opMod));
    }

    HcaState hca() {
        return firmware.hca();
    }

    CommandInterfaceState state() {
        return new CommandInterfaceState(firmware.hca(), executed, failed, ignored, dmaFaults, firmware.issi(),
                firmware.pageState(), firmware.objectState(), firmware.settingState(), firmware.pageRequestSent());
    }

    void restore(CommandInterfaceState s) {
        firmware.restore(s);
        executed = s.executed();
        failed = s.failed();
        ignored = s.ignored();
        dmaFaults = s.dmaFaults();
    }

    /** Function reset: disabled, no pages, no objects, counters from zero. */
    void reset() {
        restore(new CommandInterfaceState(HcaState.DISABLED, 0, 0, 0, 0));
    }
}
