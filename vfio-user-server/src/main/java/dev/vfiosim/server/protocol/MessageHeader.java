package dev.vfiosim.server.protocol;

import java.nio.ByteBuffer;

/**
 * The 16-byte header of every vfio-user message, read and written in place in a little-endian
 * buffer (no object per message: this is the hot path).
 *
 * <pre>
 *  off size field
 *    0  u16 msg_id    chosen by the sender of a command, echoed by its reply
 *    2  u16 cmd       {@link Command}
 *    4  u32 msg_size  whole message including this header
 *    8  u32 flags     bits 0-3 type (0 command, 1 reply), 0x10 NO_REPLY, 0x20 ERROR
 *   12  u32 error_no  positive errno in an error reply
 * </pre>
 */
public final class MessageHeader {
    public static final int SIZE = 16;

    public static final int TYPE_MASK = 0xF;
    public static final int TYPE_COMMAND = 0x0;
    public static final int TYPE_REPLY = 0x1;
    public static final int NO_REPLY = 0x10;
    public static final int ERROR = 0x20;

    private static final int MSG_ID = 0;
    private static final int CMD = 2;
    private static final int MSG_SIZE = 4;
    private static final int FLAGS = 8;
    private static final int ERROR_NO = 12;

    private MessageHeader() {
    }

    public static int msgId(ByteBuffer header) {
        return Short.toUnsignedInt(header.getShort(MSG_ID));
    }

    public static int command(ByteBuffer header) {
        return Short.toUnsignedInt(header.getShort(CMD));
    }

    /** The announced size as an unsigned value (a hostile client can send anything up to 4 GiB). */
    public static long messageSize(ByteBuffer header) {
        return Integer.toUnsignedLong(header.getInt(MSG_SIZE));
    }

    public static int flags(ByteBuffer header) {
        return header.getInt(FLAGS);
    }

    public static int errorNo(ByteBuffer header) {
        return header.getInt(ERROR_NO);
    }

    public static int type(ByteBuffer header) {
        return flags(header) & TYPE_MASK;
    }

    public static boolean isNoReply(ByteBuffer header) {
        return (flags(header) & NO_REPLY) != 0;
    }

    public static boolean isError(ByteBuffer header) {
        return (flags(header) & ERROR) != 0;
    }

    /** Writes a header at positions 0-15 of {@code header} and leaves it positioned 0, limit 16. */
    public static void write(ByteBuffer header, int msgId, int command, int messageSize, int flags, int errorNo) {
        header.clear();
        header.putShort(MSG_ID, (short) msgId);
        header.putShort(CMD, (short) command);
        header.putInt(MSG_SIZE, messageSize);
        header.putInt(FLAGS, flags);
        header.putInt(ERROR_NO, errorNo);
        header.limit(SIZE);
    }

    public static String describe(ByteBuffer header) {
        Command c = Command.ofCode(command(header));
        return "msg_id=" + msgId(header) + " cmd=" + (c == null ? "#" + command(header) : c)
                + " size=" + messageSize(header) + " flags=0x" + Integer.toHexString(flags(header));
    }
}
