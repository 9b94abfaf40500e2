package dev.vfiosim.cli;

import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.DeviceModels;
import dev.vfiosim.simulator.api.DeviceOptions;
import dev.vfiosim.simulator.api.DeviceProvider;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * Which device model a command serves, and with which options (docs/device-api.md): {@code --device},
 * {@code --device-option}, {@code --list-devices}. A picocli mixin, so that every command that serves
 * a device names it the same way.
 */
final class DeviceModelChoice {
    /** The serve options that are the mlx5 VF's own: given on the command line, they reach the model by these names. */
    private static final Map<String, String> MODEL_OPTIONS = Map.of("--state-size", "state-size",
            "--dirty-rate", "dirty-rate", "--migration", "migration", "--device-revision", "device-revision",
            "--ethernet", "ethernet");

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--device", paramLabel = "NAME", defaultValue = DeviceModels.DEFAULT,
            description = "The device model to serve (--list-devices shows those on the class path). Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(names = "--list-devices", description = "List the device models on the class path, one per line "
            + "(name, tab, description), and exit.")
    boolean list;

    @Option(names = "--device-option", paramLabel = "NAME=VALUE",
            description = "An option of the device model (docs/device-api.md); repeatable. The mlx5 VF's options "
                    + "(--state-size, --dirty-rate, --migration, --device-revision, --ethernet) reach it the same way.")
    List<String> options = new ArrayList<>();

    /** Whether the user asked for the list rather than a device. */
    boolean listing() {
        return list;
    }

    /** Prints {@code NAME<TAB>description} per model found; the exit code 0. */
    int list(PrintWriter out) {
        for (DeviceProvider p : DeviceModels.available()) {
            out.println(p.name() + "\t" + p.description());
        }
        out.flush();
        return 0;
    }

    /** The model's name as given. */
    String name() {
        return name;
    }

    /**
     * The mlx5 options given on the command line (as typed), then every --device-option;
     * {@link IllegalArgumentException} for one given twice. The serve options' names in a
     * {@code --config} file map to the same option names ({@link #modelOptionName}).
     */
    Map<String, String> options() {
        Map<String, String> values = new LinkedHashMap<>();
        ParseResult parsed = command.commandLine().getParseResult();
        MODEL_OPTIONS.forEach((option, optionName) -> {
            if (parsed.hasMatchedOption(option)) {
                // the text as typed (picocli has checked it): the model parses it as --device-option would
                List<String> typed = parsed.matchedOption(option).stringValues();
                values.put(optionName, typed.isEmpty() ? "true" : typed.get(typed.size() - 1));
            }
        });
        DeviceOptions.parse(options).values().forEach((optionName, value) -> {
            if (values.put(optionName, value) != null) {
                throw new IllegalArgumentException("device option '" + optionName + "' is given twice");
            }
        });
        return values;
    }

    /** The model option that a serve option ({@code --state-size}) stands for, or null. */
    static String modelOptionName(String serveOption) {
        return MODEL_OPTIONS.get(serveOption);
    }

    /**
     * A fresh model of {@code name} with {@code options}; {@link IllegalArgumentException} naming
     * the known models or the refused option. Nothing is started or bound by this.
     */
    static DeviceModel create(String name, Map<String, String> options) {
        return DeviceModels.named(name).create(new DeviceOptions(options));
    }
}
