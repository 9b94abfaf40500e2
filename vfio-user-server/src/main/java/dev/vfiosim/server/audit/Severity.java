package dev.vfiosim.server.audit;

import java.util.Locale;

/** How bad a finding is: an error loses guest data or interrupts, a warning risks it, info only tells. */
public enum Severity {
    ERROR, WARNING, INFO;

    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }
}
