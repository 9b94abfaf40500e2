package dev.vfiosim.simulator.device.engine;

/**
 * A command the device refuses: carried from the check that failed to the command interface,
 * which turns it into the entry's status and syndrome. It never leaves the engine.
 */
final class CommandFailure extends RuntimeException {
    /** Syndrome field value for a failure that is not about one input field. */
    static final int NOT_A_FIELD = 0xFFFF;

    private final CommandStatus status;
    private final int field;

    CommandFailure(CommandStatus status, int field, String why) {
        super(why, null, false, false);
        this.status = status;
        this.field = field;
    }

    static CommandFailure of(CommandStatus status, String why) {
        return new CommandFailure(status, NOT_A_FIELD, why);
    }

    CommandStatus status() {
        return status;
    }

    /** The input offset of the offending field, or {@link #NOT_A_FIELD}. */
    int field() {
        return field;
    }
}
