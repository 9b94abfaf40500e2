package dev.vfiosim.simulator.fault;

import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One rule of a plan: where + when + what, fired at most {@code atMost} times (unlimited when
 * empty), and armed from the start or not (a disarmed rule waits for {@link FaultInjector#arm}).
 */
public record FaultRule(String id, FaultSite where, FaultTrigger when, FaultAction what, OptionalLong atMost, boolean armed) {
    /** Ids are typed on a control socket and printed in tables: keep them to one plain word. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public FaultRule {
        FaultPlanException.require(id != null && ID.matcher(id).matches(), "id",
                "must be 1 to 64 letters, digits, '_', '.' or '-' starting with a letter or digit, got "
                        + (id == null ? "nothing" : "\"" + id + "\""));
        FaultPlanException.require(where != null, "where", "required");
        FaultPlanException.require(when != null, "when", "required");
        FaultPlanException.require(what != null, "what", "required");
        FaultPlanException.require(atMost != null && (atMost.isEmpty() || atMost.getAsLong() >= 1), "atMost",
                "must be at least 1, got " + (atMost == null ? "nothing" : atMost.orElse(0)));
        what.checkFits(where);
    }

    /** An armed rule without a firing limit. */
    public FaultRule(String id, FaultSite where, FaultTrigger when, FaultAction what) {
        this(id, where, when, what, OptionalLong.empty(), true);
    }

    /** One line for the summary and the control socket's {@code list}. */
    public String describe() {
        return where.describe() + " | " + when.describe() + atMost.stream().mapToObj(k -> ", at most " + k).findFirst().orElse("")
                + " | " + what.describe();
    }
}
