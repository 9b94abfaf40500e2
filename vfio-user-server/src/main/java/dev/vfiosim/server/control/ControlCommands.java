package dev.vfiosim.server.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vfiosim.server.audit.AuditReport;
import dev.vfiosim.server.audit.MigrationAudit;
import dev.vfiosim.server.fault.FaultControl;
import dev.vfiosim.server.session.Session;
import dev.vfiosim.server.session.VfioUserServer;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.migration.MigrationState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The commands of {@code serve --control=PATH}: one line in, a reply out, in the fault control
 * socket's framing (a reply starts with {@code ok} or {@code error:} and ends with an empty line).
 *
 * <ul>
 *   <li>{@code status}: JSON — the device's identity and migration state, the attached client with
 *       its negotiated capabilities, DMA mappings, interrupt wiring, dirty logging and counters;
 *   <li>{@code metrics}: the Prometheus text exposition of {@link DeviceMetrics};
 *   <li>{@code audit}: JSON — the migration-contract findings so far (docs/audit.md);
 *   <li>{@code faults CMD}: a fault control command ({@code faults list}, {@code faults arm ID}, ...);
 *   <li>{@code help}.
 * </ul>
 * The bare fault commands ({@code list}, {@code arm}, ...) are still accepted, so that
 * {@code --fault-control} keeps working as an alias of {@code --control}.
 */
public final class ControlCommands implements UnaryOperator<String> {
    static final String HELP = "commands: status | metrics | audit | faults <list|arm ID|disarm ID|fired [N]|summary> | help";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final VfioUserServer server;
    private final VfioDevice device;
    private final DeviceMetrics metrics;
    private final FaultControl faults;
    private volatile MigrationAudit audit;
    private final String name;

    /** {@code metrics} may be null (no {@code metrics} command then). */
    public ControlCommands(VfioUserServer server, VfioDevice device, DeviceMetrics metrics, FaultInjector faults) {
        this(null, server, device, metrics, faults);
    }

    /** One of the devices of a process, by {@code name} (its status says it; null for none). */
    public ControlCommands(String name, VfioUserServer server, VfioDevice device, DeviceMetrics metrics,
            FaultInjector faults) {
        this.name = name;
        this.server = server;
        this.device = device;
        this.metrics = metrics;
        this.faults = new FaultControl(faults);
    }

    /** Answers {@code audit} with the findings of {@code referee} (the JSON of {@code --audit-report}). */
    public ControlCommands withAudit(MigrationAudit referee) {
        this.audit = referee;
        return this;
    }

    @Override
    public String apply(String line) {
        ControlLine command = ControlLine.of(line);
        String word = command.word();
        String rest = command.rest();
        String trimmed = command.whole();
        return switch (word) {
            case "status" -> rest.isEmpty() ? "ok\n" + status() + "\n\n" : error("status takes no argument");
            case "metrics" -> !rest.isEmpty() ? error("metrics takes no argument")
                    : metrics == null ? error("metrics are off") : "ok\n" + metrics.scrape() + "\n";
            case "audit" -> !rest.isEmpty() ? error("audit takes no argument")
                    : audit == null ? error("the audit is off (serve --audit=off)") : "ok\n" + AuditReport.json(audit) + "\n\n";
            case "faults" -> faults.execute(rest.isEmpty() ? "list" : rest);
            case "help" -> "ok " + HELP + "\n\n";
            case "list", "arm", "disarm", "fired", "summary" -> faults.execute(trimmed);
            case "" -> error("empty command; " + HELP);
            default -> error("unknown command \"" + word + "\"; " + HELP);
        };
    }

    private static String error(String why) {
        return ControlLine.error(why);
    }

    /** Whether a client is attached to the device now. */
    public boolean clientAttached() {
        return server.clientAttached();
    }

    /** The status document (JSON). */
    public String status() {
        Map<String, Object> s = new LinkedHashMap<>();
        if (name != null) {
            s.put("name", name);
            s.put("socket", server.socketDescription());
        }
        s.put("device", device.toString());
        s.put("regions", device.regionCount());
        s.put("irqTypes", device.irqCount());
        VfioMigration migration = device.migration();
        if (migration != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            int state = migration.state();
            m.put("state", state >= 0 && state < MigrationState.values().length ? MigrationState.ofValue(state).name() : state);
            m.put("flags", migration.flags());
            s.put("migration", m);
        }
        Map<String, Object> counters = device.status();
        if (!counters.isEmpty()) {
            s.put("deviceCounters", counters);
        }
        Map<String, Object> conn = new LinkedHashMap<>();
        conn.put("accepted", server.connectionsAccepted());
        conn.put("refused", server.connectionsRefused());
        s.put("connections", conn);
        Session active = server.activeSession();
        s.put("client", active == null ? null : active.status());
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status is not serialisable", e);
        }
    }
}
