package dev.vfiosim.simulator.fault;

import dev.vfiosim.simulator.fault.FaultSite.StreamSite;
import java.time.Instant;

/**
 * One fault that fired: which rule, the event it hit, what the injection point must now do.
 * {@code sequence} numbers the firings of one injector from 1 in the order they happened.
 */
public record FiredFault(long sequence, String ruleId, FaultEvent event, FaultAction action, FaultSite site, Instant at) {
    /** The stream byte a corrupt/truncate action targets (those actions require the site to name it). */
    public long streamByteOffset() {
        if (site instanceof StreamSite s && s.byteOffset().isPresent()) {
            return s.byteOffset().getAsLong();
        }
        throw new IllegalStateException("rule " + ruleId + " names no stream byte offset");
    }

    /** One line for the log: rule id, the event it hit, the action. */
    public String describe() {
        return "fault #" + sequence + " rule " + ruleId + " hit " + event.describe() + ": " + action.describe();
    }
}
