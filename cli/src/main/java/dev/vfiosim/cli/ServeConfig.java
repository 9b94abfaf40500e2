package dev.vfiosim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code serve --config=FILE}: the devices to serve, as JSON.
 *
 * <pre>
 * {"devices": [
 *   {"name": "a", "socketPath": "a.sock", "stateSize": "64m", "dirtyRate": 2000, "faults": "plan.json"},
 *   {"name": "b", "socketPath": "b.sock", "trace": "b.jsonl"}
 * ]}
 * </pre>
 *
 * A device's fields are the options of {@code serve} by their camel-case names; one it leaves out
 * takes the command line's value (or that option's default). Relative paths are taken from the
 * file's directory. Every value is checked as the option would be, and an unknown field is an
 * error, each saying which device and field: a typo must not silently serve a device other than
 * the one asked for.
 */
final class ServeConfig {
    static final Set<String> FIELDS = Set.of("name", "socketPath", "fd", "stateSize", "dirtyRate", "migration",
            "deviceRevision", "irqRestore", "ethernet", "messageTimeout", "faults", "trace", "device", "deviceOptions",
            "auditReport");
    /** The fields that are the mlx5 VF's own options, and the model option each one is. */
    private static final Map<String, String> MODEL_FIELDS = Map.of("stateSize", "--state-size", "dirtyRate",
            "--dirty-rate", "migration", "--migration", "deviceRevision", "--device-revision", "ethernet", "--ethernet");

    private ServeConfig() {}

    /** A mistake in the file: a usage error, reported with the file and the field. */
    static final class InvalidConfigException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidConfigException(String message) {
            super(message);
        }
    }

    /** The devices of {@code file}; each field not given is {@code defaults}'s (whose socket is a placeholder). */
    static List<DeviceSpec> read(Path file, DeviceSpec defaults) throws InvalidConfigException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(file + ": not JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read the configuration: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("devices").isArray() || root.size() != 1) {
            throw new InvalidConfigException(file + ": expected {\"devices\": [ {...}, ... ]} and nothing else");
        }
        JsonNode list = root.get("devices");
        if (list.isEmpty()) {
            throw new InvalidConfigException(file + ": \"devices\" is empty");
        }
        Path base = file.toAbsolutePath().getParent();
        List<DeviceSpec> devices = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            devices.add(device(file, "devices[" + i + "]", list.get(i), defaults.withName(Integer.toString(i)), base));
        }
        return devices;
    }

    private static DeviceSpec device(Path file, String where, JsonNode node, DeviceSpec d, Path base)
            throws InvalidConfigException {
        if (!node.isObject()) {
            throw new InvalidConfigException(file + ": " + where + " is not an object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidConfigException(file + ": " + where + ": unknown field \"" + field + "\"; the fields are "
                        + String.join(", ", new java.util.TreeSet<>(FIELDS)));
            }
        }
        Field f = new Field(file, where, node);
        String name = f.text("name", d.name());
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new InvalidConfigException(file + ": " + where + ".name: '" + name
                    + "' is not 1 to 64 letters, digits, '_', '.' or '-'");
        }
        boolean hasPath = node.has("socketPath");
        boolean hasFd = node.has("fd");
        if (hasPath == hasFd) {
            throw new InvalidConfigException(file + ": " + where + ": give exactly one of \"socketPath\" and \"fd\"");
        }
        Path socketPath = hasPath ? base.resolve(f.text("socketPath", null)) : null;
        Integer fd = hasFd ? f.convert("fd", new Options.PositiveInt(), null) : null;
        String trace = f.text("trace", d.trace());
        if (node.has("trace") && !trace.equals("-")) {
            trace = base.resolve(trace).toString();
        }
        Path faults = node.has("faults") ? base.resolve(f.text("faults", null)) : d.faults();
        String auditReport = node.has("auditReport") ? base.resolve(f.text("auditReport", null)).toString() : d.auditReport();
        String model = f.text("device", d.model());
        Map<String, String> modelOptions = new java.util.LinkedHashMap<>(d.modelOptions());
        for (Map.Entry<String, String> e : MODEL_FIELDS.entrySet()) {
            if (node.has(e.getKey())) {
                modelOptions.put(DeviceModelChoice.modelOptionName(e.getValue()), node.get(e.getKey()).asText());
            }
        }
        JsonNode extra = node.get("deviceOptions");
        if (extra != null) {
            if (!extra.isObject()) {
                throw new InvalidConfigException(file + ": " + where + ".deviceOptions: expected an object of NAME: VALUE");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode()) {
                    throw new InvalidConfigException(file + ": " + where + ".deviceOptions." + e.getKey()
                            + ": expected a string, number or boolean");
                }
                modelOptions.put(e.getKey(), e.getValue().asText());
            }
        }
        return new DeviceSpec(name, socketPath, fd,
                f.convert("stateSize", new Options.StateSize(), d.stateSize()),
                f.convert("dirtyRate", new Options.DirtyRate(), d.dirtyRate()),
                f.convert("migration", new ServeCommand.MigrationFeaturesConverter(), d.migration()),
                f.convert("deviceRevision", new ServeCommand.DeviceRevisionConverter(), d.deviceRevision()),
                f.convert("irqRestore", new ServeCommand.IrqRestoreConverter(), d.irqRestore()),
                f.bool("ethernet", d.ethernet()),
                f.convert("messageTimeout", new Options.PositiveDuration(), d.messageTimeout()),
                faults, trace, model, modelOptions, auditReport);
    }

    /** One device's fields, each read with the option's own converter. */
    private record Field(Path file, String where, JsonNode node) {
        String text(String name, String otherwise) throws InvalidConfigException {
            JsonNode v = node.get(name);
            if (v == null) {
                return otherwise;
            }
            if (!v.isTextual() && !v.isNumber()) {
                throw new InvalidConfigException(file + ": " + where + "." + name + ": expected a string or a number");
            }
            return v.asText();
        }

        boolean bool(String name, boolean otherwise) throws InvalidConfigException {
            JsonNode v = node.get(name);
            if (v == null) {
                return otherwise;
            }
            if (!v.isBoolean()) {
                throw new InvalidConfigException(file + ": " + where + "." + name + ": expected true or false");
            }
            return v.asBoolean();
        }

        <T> T convert(String name, ITypeConverter<T> converter, T otherwise) throws InvalidConfigException {
            String text = text(name, null);
            if (text == null) {
                return otherwise;
            }
            try {
                return converter.convert(text);
            } catch (TypeConversionException e) {
                throw new InvalidConfigException(file + ": " + where + "." + name + ": " + e.getMessage());
            } catch (Exception e) {
                throw new InvalidConfigException(file + ": " + where + "." + name + ": " + e.getMessage());
            }
        }
    }

    /** Refuses two devices with one name, one socket path, or one trace file. */
    static void checkDistinct(List<DeviceSpec> devices) throws InvalidConfigException {
        Map<String, String> seen = new java.util.HashMap<>();
        for (DeviceSpec d : devices) {
            claim(seen, "name " + d.name(), d);
            if (d.socketPath() != null) {
                claim(seen, "socket " + d.socketPath().toAbsolutePath().normalize(), d);
            }
            if (d.fd() != null) {
                claim(seen, "fd " + d.fd(), d);
            }
            if (d.trace() != null && !d.trace().equals("-")) {
                claim(seen, "trace file " + Path.of(d.trace()).toAbsolutePath().normalize(), d);
            }
        }
        long toStderr = devices.stream().filter(d -> "-".equals(d.trace())).count();
        if (toStderr > 0 && devices.size() > 1) {
            throw new InvalidConfigException("--trace -: with " + devices.size()
                    + " devices each needs its own trace file (stderr would mix them)");
        }
    }

    private static void claim(Map<String, String> seen, String what, DeviceSpec d) throws InvalidConfigException {
        String other = seen.putIfAbsent(what, d.name());
        if (other != null) {
            throw new InvalidConfigException("devices " + other + " and " + d.name() + " have the same " + what);
        }
    }
}
