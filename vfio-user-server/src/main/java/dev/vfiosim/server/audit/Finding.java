package dev.vfiosim.server.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One place where the VMM broke the migration contract, as the device saw it.
 *
 * @param rule the rule broken
 * @param severity how bad (usually the rule's own)
 * @param state the device's migration state when the finding was made (uAPI name)
 * @param messageNumber commands the session had handled when it was made (0 if outside a command)
 * @param message one line for a human
 * @param details the facts behind it (vectors, IOVAs, byte counts), JSON-friendly values only
 */
public record Finding(AuditRule rule, Severity severity, String state, long messageNumber, String message,
        Map<String, Object> details) {
    public Finding {
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** The log line: {@code audit error interrupt-lost (rule 1) in RUNNING at message 42: ...}. */
    public String line() {
        return "audit " + severity.spelling() + " " + rule.id() + " (rule " + rule.number() + ") in " + state
                + " at message " + messageNumber + ": " + message;
    }

    /** The object of the JSON report, the trace's event and the control socket's answer. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule.id());
        m.put("number", rule.number());
        m.put("severity", severity.spelling());
        m.put("state", state);
        m.put("message", messageNumber);
        m.put("text", message);
        m.put("details", details);
        return m;
    }
}
