package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One 64-byte command queue entry in guest memory (slot n at cmdq address + n * 64). The driver
 * fills opcode, lengths and input and sets ownership to HW, then rings bit n of the command
 * doorbell; the device writes output, syndrome and status, then (in a separate, later write)
 * ownership SW.
 *
 * <pre>
 * off   size  field            written by
 * 0x00  u16   opcode           driver ({@link CommandOpcode})
 * 0x02  u8    input length     driver: bytes of input that are valid (0..24)
 * 0x03  u8    output length    driver: bytes of output it has room for (0..24)
 * 0x04  u32   reserved
 * 0x08  u8[24] input           driver
 * 0x20  u8[24] output          device
 * 0x38  u32   syndrome         device: 0 on success, else which check failed (see docs/device.md)
 * 0x3C  u16   reserved
 * 0x3E  u8    status           device ({@link CommandStatus})
 * 0x3F  u8    ownership        bit 0: 1 = HW (device owns the entry), 0 = SW
 * </pre>
 */
public record CommandEntry(int opcode, int inputLength, int outputLength, byte[] input) {
    public static final int SIZE = 64;
    public static final int OPCODE = 0x00;
    public static final int INPUT_LENGTH = 0x02;
    public static final int OUTPUT_LENGTH = 0x03;
    public static final int INPUT = 0x08;
    public static final int INPUT_SIZE = 24;
    public static final int OUTPUT = 0x20;
    public static final int OUTPUT_SIZE = 24;
    public static final int SYNDROME = 0x38;
    public static final int STATUS = 0x3E;
    public static final int OWNERSHIP = 0x3F;
    public static final int OWNER_HW = 1;
    public static final int OWNER_SW = 0;
    /** The part the device writes back before flipping ownership: output, syndrome and status. */
    public static final int RESULT_LENGTH = OWNERSHIP - OUTPUT;

    public static CommandEntry decode(ByteBuffer entry) {
        byte[] input = new byte[INPUT_SIZE];
        entry.get(INPUT, input);
        return new CommandEntry(Short.toUnsignedInt(entry.getShort(OPCODE)), Byte.toUnsignedInt(entry.get(INPUT_LENGTH)),
                Byte.toUnsignedInt(entry.get(OUTPUT_LENGTH)), input);
    }

    public static boolean ownedByHardware(ByteBuffer entry) {
        return (entry.get(OWNERSHIP) & OWNER_HW) != 0;
    }

    /** The driver's side: the whole entry, ownership HW, output area zeroed. */
    public void encode(ByteBuffer entry) {
        for (int i = 0; i < SIZE; i++) {
            entry.put(i, (byte) 0);
        }
        entry.putShort(OPCODE, (short) opcode).put(INPUT_LENGTH, (byte) inputLength).put(OUTPUT_LENGTH, (byte) outputLength)
                .put(INPUT, input, 0, Math.min(input.length, INPUT_SIZE)).put(OWNERSHIP, (byte) OWNER_HW);
    }

    /** The input area as a little-endian buffer for absolute reads. */
    public ByteBuffer inputBuffer() {
        return ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The device's result bytes as written at {@link #OUTPUT}: output, syndrome, status, in a
     * buffer of {@link #RESULT_LENGTH} bytes positioned at 0.
     */
    public static void encodeResult(ByteBuffer result, byte[] output, int syndrome, CommandStatus status) {
        result.clear().limit(RESULT_LENGTH);
        for (int i = 0; i < RESULT_LENGTH; i++) {
            result.put(i, (byte) 0);
        }
        result.put(0, output, 0, Math.min(output.length, OUTPUT_SIZE)).putInt(SYNDROME - OUTPUT, syndrome)
                .put(STATUS - OUTPUT, (byte) status.code());
    }
}
