package dev.vfiosim.simulator.sample;

import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.DeviceOptions;
import dev.vfiosim.simulator.api.DeviceProvider;
import java.util.Set;

/** {@code --device=sample}: libvfio-user's samples/server.c device. It takes no options. */
public final class SampleProvider implements DeviceProvider {
    public static final String NAME = "sample";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "libvfio-user's samples/server.c device: BAR0 timer that raises INTx then DMAs, BAR1 storage, opaque migration";
    }

    @Override
    public DeviceModel create(DeviceOptions options) {
        options.requireOnly(Set.of(), NAME);
        return new SampleModel();
    }
}
