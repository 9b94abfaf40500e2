package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.DeviceOptions;
import dev.vfiosim.simulator.api.DeviceProvider;
import dev.vfiosim.simulator.device.bulk.BulkStateSettings;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import java.util.Set;

/**
 * {@code --device=mlx5-vf}, the default model. Its options are those of {@code serve} by the same
 * names: {@code state-size} (bytes, whole 4 KiB pages, default 1m), {@code dirty-rate} (pages/s,
 * default 0), {@code migration} (stop-copy, p2p, pre-copy, all; default all),
 * {@code device-revision} (default the newest), {@code ethernet} (true/false, default false) and
 * {@code msix-vectors} (default 16).
 */
public final class Mlx5Provider implements DeviceProvider {
    public static final String NAME = "mlx5-vf";
    /** The largest bulk state a model accepts, as {@code serve --state-size} does. */
    public static final long MAX_STATE_SIZE = 64L << 30;
    /** The fastest dirtying rate a model accepts, as {@code serve --dirty-rate} does. */
    public static final long MAX_DIRTY_RATE = 100_000_000;
    private static final Set<String> OPTIONS = Set.of("state-size", "dirty-rate", "migration", "device-revision",
            "ethernet", "msix-vectors");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "mlx5-style ConnectX Ethernet virtual function: command queue, EQ/CQ/SQ/RQ, loopback, "
                + "bulk state with dirty tracking, record-stream migration";
    }

    @Override
    public DeviceModel create(DeviceOptions options) {
        return new Mlx5Function(config(options));
    }

    /** The function's settings from the user's options (the defaults of {@link VirtualFunctionConfig#defaults()}). */
    public static VirtualFunctionConfig config(DeviceOptions options) {
        options.requireOnly(OPTIONS, NAME);
        long stateSize = options.size("state-size", BulkStateSettings.DEFAULT_BYTES);
        if (stateSize > MAX_STATE_SIZE) {
            throw new IllegalArgumentException("device option state-size: " + stateSize + " is more than 64g");
        }
        long dirtyRate = options.number("dirty-rate", 0, 0, MAX_DIRTY_RATE);
        MigrationFeatures features;
        try {
            features = MigrationFeatures.byName(options.text("migration", "all"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device option migration: " + e.getMessage());
        }
        VirtualFunctionConfig defaults = VirtualFunctionConfig.defaults();
        int vectors = (int) options.number("msix-vectors", defaults.msixVectors(), 1, VirtualFunctionConfig.MAX_MSIX_VECTORS);
        int revision = (int) options.number("device-revision", DeviceRevision.CURRENT, DeviceRevision.FIRST,
                DeviceRevision.CURRENT);
        BulkStateSettings bulk;
        try {
            bulk = new BulkStateSettings(stateSize, dirtyRate, BulkStateSettings.DEFAULT_SEED);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device option state-size: " + e.getMessage());
        }
        return new VirtualFunctionConfig(vectors, defaults.serialNumber(), defaults.nanoTime(), bulk, features,
                defaults.bootDelay(), options.flag("ethernet", false), revision);
    }
}
