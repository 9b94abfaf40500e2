package org.example.counter;

import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.DeviceOptions;
import dev.vfiosim.simulator.api.DeviceProvider;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import java.util.Set;

/** {@code --device=test-counter}; option {@code migration} (stop-copy or pre-copy, default stop-copy). */
public final class CounterDeviceProvider implements DeviceProvider {
    public static final String NAME = "test-counter";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a DMA counter written against the public device API (test-fixtures' test class path only)";
    }

    @Override
    public DeviceModel create(DeviceOptions options) {
        options.requireOnly(Set.of("migration"), NAME);
        String migration = options.text("migration", "stop-copy");
        if (!migration.equals("stop-copy") && !migration.equals("pre-copy")) {
            throw new IllegalArgumentException("device option migration: '" + migration + "' is not stop-copy or pre-copy");
        }
        return new CounterDevice(MigrationFeatures.byName(migration));
    }
}
