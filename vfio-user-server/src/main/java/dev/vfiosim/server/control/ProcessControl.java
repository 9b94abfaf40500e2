package dev.vfiosim.server.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The control socket of a process that serves several devices: the one-device commands of
 * {@link ControlCommands}, addressed to a device by name, and a few about all of them.
 *
 * <ul>
 *   <li>{@code devices}: JSON, each device's name and whether a client is attached;
 *   <li>{@code status}: JSON, every device's status under its name;
 *   <li>{@code metrics}: the Prometheus text of every device, each series tagged {@code device="NAME"};
 *   <li>{@code device NAME CMD...}: {@code CMD} for that device alone ({@code device 3 faults arm r1});
 *   <li>{@code help}.
 * </ul>
 * A fault command without {@code device NAME} is refused when there is more than one device, so a
 * script cannot arm a rule on the wrong one. With a single device every command of
 * {@link ControlCommands} works as before, and {@code device NAME ...} too.
 */
public final class ProcessControl implements UnaryOperator<String> {
    static final String HELP = "commands: devices | status | metrics | device NAME <status|metrics|audit|faults ...> | help";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, ControlCommands> devices;
    private final ProcessMetrics metrics;

    /** @param devices by name, in the order to list them; @param metrics null when metrics are off */
    public ProcessControl(Map<String, ControlCommands> devices, ProcessMetrics metrics) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device to control");
        }
        this.devices = new LinkedHashMap<>(devices);
        this.metrics = metrics;
    }

    @Override
    public String apply(String line) {
        ControlLine command = ControlLine.of(line);
        String word = command.word();
        String rest = command.rest();
        String trimmed = command.whole();
        return switch (word) {
            case "device" -> onDevice(rest);
            case "devices" -> rest.isEmpty() ? "ok\n" + json(list()) + "\n\n" : error("devices takes no argument");
            case "status" -> rest.isEmpty() ? "ok\n" + json(statuses()) + "\n\n" : error("status takes no argument");
            case "metrics" -> !rest.isEmpty() ? error("metrics takes no argument")
                    : metrics == null ? error("metrics are off") : "ok\n" + metrics.scrape() + "\n";
            case "help" -> "ok " + (devices.size() == 1 ? ControlCommands.HELP + "; " : "") + HELP + "\n\n";
            default -> devices.size() == 1 ? devices.values().iterator().next().apply(line)
                    : word.isEmpty() ? error("empty command; " + HELP)
                    : error("\"" + word + "\" needs a device: device NAME " + trimmed + " (" + devices.size()
                            + " devices: see \"devices\"); " + HELP);
        };
    }

    private String onDevice(String rest) {
        String name = rest.split("\\s+", 2)[0];
        if (name.isEmpty()) {
            return error("device needs a name and a command: device NAME CMD");
        }
        ControlCommands device = devices.get(name);
        if (device == null) {
            return error("no device named \"" + name + "\" (see \"devices\")");
        }
        String command = rest.substring(name.length()).trim();
        return command.isEmpty() ? error("device " + name + " needs a command; " + ControlCommands.HELP)
                : device.apply(command);
    }

    private Object list() {
        var list = JSON.createArrayNode();
        devices.forEach((name, device) -> {
            ObjectNode entry = list.addObject();
            entry.put("name", name);
            entry.put("clientAttached", device.clientAttached());
        });
        return list;
    }

    private Object statuses() {
        ObjectNode all = JSON.createObjectNode();
        ObjectNode byName = all.putObject("devices");
        devices.forEach((name, device) -> {
            try {
                JsonNode status = JSON.readTree(device.status());
                byName.set(name, status);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("status of " + name + " is not JSON", e);
            }
        });
        return all;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable", e);
        }
    }

    private static String error(String why) {
        return ControlLine.error(why);
    }
}
