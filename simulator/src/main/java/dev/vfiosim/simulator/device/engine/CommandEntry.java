package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One 64-byte mlx5 command queue entry (mlx5_cmd_layout) in guest memory, slot n at cmdq address +
 * n * 64, big-endian. The driver fills it, sets status_own to 1 (HW) and rings bit n of the command
 * doorbell; the device writes the inline output and the output mailboxes, then (in a separate,
 * later write) status_own: ownership 0 (SW) and the delivery status.
 *
 * <pre>
 * off   size   field
 * 0x00  u8     type: 0x07 (PCIe command transport); anything else is a descriptor error
 * 0x04  BE32   inlen: bytes of command input (16 inline, the rest in the input mailboxes)
 * 0x08  BE64   in_ptr: the first input mailbox ({@link CommandMailbox}), 0 when inlen &lt;= 16
 * 0x10  u8[16] inline input: 0x10 BE16 opcode, 0x12 BE16 uid, 0x16 BE16 op_mod, then the command's fields
 * 0x20  u8[16] inline output: 0x20 u8 status ({@link CommandStatus}), 0x24 BE32 syndrome, then fields
 * 0x30  BE64   out_ptr: the first output mailbox, 0 when outlen &lt;= 16
 * 0x38  BE32   outlen: bytes of command output the driver has room for
 * 0x3C  u8     token (the driver's; repeated in every input mailbox)
 * 0x3D  u8     signature (not checked: the driver disables command checksums)
 * 0x3F  u8     status_own: bit 0 ownership (1 = HW), bits 7:1 delivery status ({@link DeliveryStatus})
 * </pre>
 */
public record CommandEntry(int type, int inputLength, long inputPointer, byte[] inlineInput, long outputPointer,
        int outputLength, int token) {
    public static final int SIZE = 64;
    public static final int TYPE = 0x00;
    public static final int INPUT_LENGTH = 0x04;
    public static final int INPUT_POINTER = 0x08;
    public static final int INPUT = 0x10;
    public static final int INLINE_SIZE = 16;
    public static final int OUTPUT = 0x20;
    public static final int OUTPUT_POINTER = 0x30;
    public static final int OUTPUT_LENGTH = 0x38;
    public static final int TOKEN = 0x3C;
    public static final int SIGNATURE = 0x3D;
    public static final int STATUS_OWN = 0x3F;
    public static final int PCIE_TRANSPORT = 0x07;
    public static final int OWNER_HW = 1;
    public static final int OWNER_SW = 0;
    public static final int DELIVERY_SHIFT = 1;
    /** In a command's input: where the opcode and op_mod are. */
    public static final int OPCODE = 0x00;
    public static final int OP_MOD = 0x06;
    /** In a command's output: where status and syndrome are. */
    public static final int STATUS = 0x00;
    public static final int SYNDROME = 0x04;
    /** Every command's input and output begins with 8 bytes of header. */
    public static final int HEADER = 8;

    public static CommandEntry decode(ByteBuffer entry) {
        ByteBuffer e = entry.duplicate().order(ByteOrder.BIG_ENDIAN);
        byte[] inline = new byte[INLINE_SIZE];
        e.get(INPUT, inline);
        return new CommandEntry(Byte.toUnsignedInt(e.get(TYPE)), e.getInt(INPUT_LENGTH), e.getLong(INPUT_POINTER), inline,
                e.getLong(OUTPUT_POINTER), e.getInt(OUTPUT_LENGTH), Byte.toUnsignedInt(e.get(TOKEN)));
    }

    public static boolean ownedByHardware(ByteBuffer entry) {
        return (entry.get(STATUS_OWN) & OWNER_HW) != 0;
    }

    /** The driver's side: the whole entry, status_own HW, inline output zeroed. */
    public void encode(ByteBuffer entry) {
        ByteBuffer e = entry.duplicate().order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < SIZE; i++) {
            e.put(i, (byte) 0);
        }
        e.put(TYPE, (byte) type).putInt(INPUT_LENGTH, inputLength).putLong(INPUT_POINTER, inputPointer)
                .put(INPUT, inlineInput, 0, Math.min(inlineInput.length, INLINE_SIZE)).putLong(OUTPUT_POINTER, outputPointer)
                .putInt(OUTPUT_LENGTH, outputLength).put(TOKEN, (byte) token).put(STATUS_OWN, (byte) OWNER_HW);
    }

    /** The status_own byte the device writes last: SW owns the entry, with this delivery status. */
    public static byte statusOwn(DeliveryStatus delivery) {
        return (byte) (delivery.code() << DELIVERY_SHIFT | OWNER_SW);
    }
}
