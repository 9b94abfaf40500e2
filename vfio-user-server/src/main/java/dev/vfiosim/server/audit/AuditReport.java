package dev.vfiosim.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit's findings as the user reads them: the JSON document of {@code --audit-report=FILE}
 * and of the control socket's {@code audit} command (the same document), and the one-screen
 * summary printed at exit.
 */
public final class AuditReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Findings listed one per line in the summary; the rest are counted. */
    static final int SUMMARY_LINES = 15;

    private AuditReport() {
    }

    /** {@code {"mode": ..., "counts": {"error": n, "warning": n, "info": n}, "findings": [...]}}. */
    public static Map<String, Object> document(AuditMode mode, List<Finding> findings) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("mode", mode.spelling());
        Map<String, Object> counts = new LinkedHashMap<>();
        for (Severity s : Severity.values()) {
            counts.put(s.spelling(), findings.stream().filter(f -> f.severity() == s).count());
        }
        doc.put("counts", counts);
        doc.put("findings", findings.stream().map(Finding::toMap).toList());
        return doc;
    }

    public static String json(MigrationAudit audit) {
        try {
            return JSON.writeValueAsString(document(audit.mode(), audit.findings()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit findings are not serialisable", e);
        }
    }

    /** Writes the document to {@code file} whole (a reader never sees half a report). */
    public static void write(MigrationAudit audit, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, ".audit-", ".json");
        try {
            Files.writeString(temp, json(audit) + "\n");
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A few lines: the counts, then one line per finding (at most {@link #SUMMARY_LINES}). */
    public static String summary(MigrationAudit audit) {
        return summary(audit.mode().spelling(), audit.findings());
    }

    /**
     * The findings of a {@link #document} read back (from the control socket or a report file):
     * the mode and the findings, details as JSON gave them.
     */
    public static Map.Entry<String, List<Finding>> read(String json) throws IOException {
        JsonNode doc = JSON.readTree(json);
        if (doc == null || !doc.path("findings").isArray()) {
            throw new IOException("not an audit document: " + json.strip().lines().findFirst().orElse(""));
        }
        List<Finding> findings = new java.util.ArrayList<>();
        for (JsonNode f : doc.get("findings")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> details = JSON.convertValue(f.path("details"), Map.class);
            findings.add(new Finding(AuditRule.byId(f.path("rule").asText()), Severity.valueOf(
                    f.path("severity").asText().toUpperCase(java.util.Locale.ROOT)), f.path("state").asText(),
                    f.path("message").asLong(), f.path("text").asText(), details == null ? Map.of() : details));
        }
        return Map.entry(doc.path("mode").asText(), findings);
    }

    /** The summary of {@code findings} made in {@code mode} (its spelling). */
    public static String summary(String mode, List<Finding> findings) {
        Map<Severity, Long> counts = new EnumMap<>(Severity.class);
        findings.forEach(f -> counts.merge(f.severity(), 1L, Long::sum));
        StringBuilder b = new StringBuilder();
        b.append("audit (").append(mode).append("): ");
        if (findings.isEmpty()) {
            return b.append("no findings: the VMM kept the migration contract\n").toString();
        }
        b.append(findings.size()).append(findings.size() == 1 ? " finding" : " findings").append(" (")
                .append(counts.getOrDefault(Severity.ERROR, 0L)).append(" error, ")
                .append(counts.getOrDefault(Severity.WARNING, 0L)).append(" warning, ")
                .append(counts.getOrDefault(Severity.INFO, 0L)).append(" info)\n");
        for (int i = 0; i < findings.size() && i < SUMMARY_LINES; i++) {
            Finding f = findings.get(i);
            b.append("  ").append(String.format("%-7s", f.severity().spelling())).append(' ').append(f.rule().id())
                    .append(" [").append(f.state()).append(", message ").append(f.messageNumber()).append("] ")
                    .append(f.message()).append('\n');
        }
        if (findings.size() > SUMMARY_LINES) {
            b.append("  ... and ").append(findings.size() - SUMMARY_LINES).append(" more (see the JSON report)\n");
        }
        return b.toString();
    }
}
