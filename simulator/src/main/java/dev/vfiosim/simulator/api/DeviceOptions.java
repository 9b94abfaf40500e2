package dev.vfiosim.simulator.api;

import dev.vfiosim.simulator.SizeText;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options a user gave a device model, as text by name: {@code serve --device-option NAME=VALUE}
 * (and the mlx5 VF's own serve options under their option names without dashes, e.g.
 * {@code state-size}), or {@code @Device(options = "NAME=VALUE")} in a test. Only what the user
 * gave is here; the model applies its own defaults. Every accessor refuses a bad value with an
 * {@link IllegalArgumentException} whose message names the option.
 */
public record DeviceOptions(Map<String, String> values) {
    public static final DeviceOptions NONE = new DeviceOptions(Map.of());

    public DeviceOptions {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Options from {@code NAME=VALUE} texts; a text without {@code =} is a flag set to {@code true}. */
    public static DeviceOptions parse(List<String> assignments) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            String name = (eq < 0 ? a : a.substring(0, eq)).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("device option '" + a + "' has no name (NAME=VALUE)");
            }
            if (values.put(name, eq < 0 ? "true" : a.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("device option '" + name + "' is given twice");
            }
        }
        return new DeviceOptions(values);
    }

    /** These options and one more (replacing a value of the same name). */
    public DeviceOptions with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(values);
        more.put(name, value);
        return new DeviceOptions(more);
    }

    /** Refuses any option not in {@code known}: a model calls it first so that a typo is not silently ignored. */
    public DeviceOptions requireOnly(Set<String> known, String model) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("device " + model + " has no option " + String.join(", ", unknown)
                    + (known.isEmpty() ? " (it takes none)" : "; its options: " + String.join(", ", new TreeSet<>(known))));
        }
        return this;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String text(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    /** A whole number within {@code [min, max]}. */
    public long number(String name, long otherwise, long min, long max) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device option " + name + ": '" + v + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("device option " + name + ": " + n + " is not within " + min + ".." + max);
        }
        return n;
    }

    /** A byte count with an optional k, m or g ({@link SizeText}). */
    public long size(String name, long otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            return SizeText.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device option " + name + ": " + e.getMessage());
        }
    }

    /** {@code true}/{@code false} (also yes/no, on/off); absent is {@code otherwise}. */
    public boolean flag(String name, boolean otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("device option " + name + ": '" + v + "' is not true or false");
        };
    }
}
