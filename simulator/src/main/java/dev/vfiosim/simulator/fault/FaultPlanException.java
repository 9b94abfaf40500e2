package dev.vfiosim.simulator.fault;

/**
 * A plan that cannot be run: names the field that is wrong, as a path relative to the value being
 * built ({@code "when.probability"}, {@code "where.byteOffset"}), so that whoever built the value
 * from a file or a builder can prefix its own position ({@code rules[2].}) and report it precisely.
 */
public final class FaultPlanException extends IllegalArgumentException {
    private final String field;
    private final String reason;

    public FaultPlanException(String field, String reason) {
        super(field.isEmpty() ? reason : field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** The wrong field, relative to the value that refused it; empty when the value as a whole is wrong. */
    public String field() {
        return field;
    }

    /** What is wrong with it, without the field. */
    public String reason() {
        return reason;
    }

    /** The same complaint seen one level up: {@code within("when")} turns {@code n} into {@code when.n}. */
    public FaultPlanException within(String parent) {
        FaultPlanException e = new FaultPlanException(field.isEmpty() ? parent : parent + "." + field, reason);
        e.initCause(this);
        return e;
    }

    static void require(boolean ok, String field, String reason) {
        if (!ok) {
            throw new FaultPlanException(field, reason);
        }
    }
}
