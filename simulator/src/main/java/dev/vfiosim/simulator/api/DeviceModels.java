package dev.vfiosim.simulator.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** The device models on the class path ({@link DeviceProvider}s found by {@link ServiceLoader}). */
public final class DeviceModels {
    /** What {@code serve} plays when no {@code --device} is given. */
    public static final String DEFAULT = "mlx5-vf";

    private DeviceModels() {
    }

    /** Every provider on the class path, by name; two providers of the same name are refused. */
    public static List<DeviceProvider> available() {
        List<DeviceProvider> all = new ArrayList<>();
        for (DeviceProvider p : ServiceLoader.load(DeviceProvider.class, DeviceModels.class.getClassLoader())) {
            all.add(p);
        }
        all.sort(Comparator.comparing(DeviceProvider::name));
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i).name().equals(all.get(i - 1).name())) {
                throw new IllegalStateException("two device providers are called " + all.get(i).name() + ": "
                        + all.get(i - 1).getClass().getName() + " and " + all.get(i).getClass().getName());
            }
        }
        return List.copyOf(all);
    }

    /** The provider called {@code name}; {@link IllegalArgumentException} listing the known names otherwise. */
    public static DeviceProvider named(String name) {
        List<DeviceProvider> all = available();
        return all.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no device model called '" + name + "'; known: " + names(all)));
    }

    /** The known names, comma-separated, for messages. */
    public static String names(List<DeviceProvider> providers) {
        return providers.stream().map(DeviceProvider::name).collect(Collectors.joining(", "));
    }
}
