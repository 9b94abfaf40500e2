package dev.vfiosim.server.audit;

import java.util.Locale;

/** {@code serve --audit}: whether the device referees the VMM, and whether it refuses what it can. */
public enum AuditMode {
    /** No audit: the session pays one null check per message. */
    OFF,
    /** Every finding is recorded and reported; no request is refused because of one (the default). */
    REPORT,
    /**
     * As REPORT, and an error finding fails the offending request with EINVAL where the protocol
     * allows a refusal: the arc to a running state (restored-state-unmapped, config-not-restored) and
     * the SET_IRQS (irq-restore-timing).
     */
    STRICT;

    public static AuditMode parse(String text) {
        for (AuditMode m : values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("audit must be off, report or strict, got " + text);
    }

    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }
}
