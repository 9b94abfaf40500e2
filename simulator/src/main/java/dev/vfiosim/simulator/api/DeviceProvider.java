package dev.vfiosim.simulator.api;

/**
 * A device model servable by name. Register an implementation (public, with a public no-argument
 * constructor) in {@code META-INF/services/dev.vfiosim.simulator.api.DeviceProvider}; then
 * {@code vfio-sim serve --device=NAME} and {@code @Device(model = "NAME")} find it on the class
 * path through {@link java.util.ServiceLoader} ({@link DeviceModels}).
 */
public interface DeviceProvider {
    /** The name {@code --device} selects: lower case, digits and dashes, unique on the class path. */
    String name();

    /** One line for {@code serve --list-devices}. */
    String description();

    /**
     * A fresh device. {@code options} holds exactly what the user asked for (none of the model's
     * defaults); refuse an option the model does not know, or a bad value, with
     * {@link IllegalArgumentException} naming it: the CLI turns that into a usage error. Start no
     * thread and take no outside resource here (the CLI creates the model before it binds its
     * socket, and may then give up): that belongs in {@link DeviceModel#define}.
     */
    DeviceModel create(DeviceOptions options);
}
