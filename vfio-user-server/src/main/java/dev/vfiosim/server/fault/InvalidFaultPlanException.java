package dev.vfiosim.server.fault;

/**
 * A plan file that cannot be run, with where the mistake is: {@code plan.json:12:17:
 * rules[2].when.probability: must be between 0 and 1, got 1.5}. The message is made to be printed
 * as it is by the CLI before it refuses to start.
 */
public final class InvalidFaultPlanException extends IllegalArgumentException {
    private final String source;
    private final int line;
    private final int column;
    private final String path;
    private final String reason;

    InvalidFaultPlanException(String source, int line, int column, String path, String reason) {
        super(source + ":" + line + ":" + column + ": " + (path.isEmpty() ? "plan" : path) + ": " + reason);
        this.source = source;
        this.line = line;
        this.column = column;
        this.path = path;
        this.reason = reason;
    }

    /** The file name (or other name) the plan was read from. */
    public String source() {
        return source;
    }

    /** 1-based line of the wrong value. */
    public int line() {
        return line;
    }

    /** 1-based column of the wrong value. */
    public int column() {
        return column;
    }

    /** The JSON path of the wrong field ({@code rules[2].when.probability}); empty for the plan as a whole. */
    public String path() {
        return path;
    }

    public String reason() {
        return reason;
    }
}
