package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.device.bulk.BulkStateSettings;
import dev.vfiosim.simulator.irq.MsixTable;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What may differ between two simulated functions.
 *
 * @param msixVectors MSI-X vectors, 1..256 (the table must fit its 4 KiB BAR0 page)
 * @param serialNumber the Device Serial Number capability's value
 * @param nanoTime the device's monotonic time source ({@code System::nanoTime} outside tests)
 * @param bulkState size and dirtying rate of the device's internal bulk state
 * @param migration the migration features the device advertises (and behaves by)
 * @param bootDelay how long after reset the function says "initializing" (mlx5 firmware booting)
 * @param ethernet whether the function advertises mlx5's Ethernet capabilities (eth_net_offloads,
 *        nic_flow_table and their capability pages), so that the real driver's mlx5e starts on it;
 *        off by default: its CQ/SQ/RQ then take mlx5's contexts, not the loopback model's body
 * @param deviceRevision which revision of the function to play ({@link DeviceRevision}): the record forms its
 *        migration stream writes and the newest it reads
 */
public record VirtualFunctionConfig(int msixVectors, long serialNumber, LongSupplier nanoTime, BulkStateSettings bulkState,
        MigrationFeatures migration, Duration bootDelay, boolean ethernet, int deviceRevision) {
    public static final Duration DEFAULT_BOOT_DELAY = Duration.ofNanos(InitializationSegment.DEFAULT_BOOT_DELAY_NANOS);
    public static final int DEFAULT_MSIX_VECTORS = 16;
    public static final int MAX_MSIX_VECTORS = Bar0.WINDOW_SIZE / MsixTable.ENTRY_SIZE;
    /** An EUI-64 built from the Mellanox OUI 00:02:c9. */
    public static final long DEFAULT_SERIAL_NUMBER = 0x0002_c9ff_fe00_0001L;

    public VirtualFunctionConfig(int msixVectors, long serialNumber, LongSupplier nanoTime) {
        this(msixVectors, serialNumber, nanoTime, BulkStateSettings.DEFAULT);
    }

    public VirtualFunctionConfig(int msixVectors, long serialNumber, LongSupplier nanoTime, BulkStateSettings bulkState) {
        this(msixVectors, serialNumber, nanoTime, bulkState, MigrationFeatures.ALL);
    }

    public VirtualFunctionConfig(int msixVectors, long serialNumber, LongSupplier nanoTime, BulkStateSettings bulkState,
            MigrationFeatures migration) {
        this(msixVectors, serialNumber, nanoTime, bulkState, migration, DEFAULT_BOOT_DELAY, false);
    }

    /** A function of the newest revision. */
    public VirtualFunctionConfig(int msixVectors, long serialNumber, LongSupplier nanoTime, BulkStateSettings bulkState,
            MigrationFeatures migration, Duration bootDelay, boolean ethernet) {
        this(msixVectors, serialNumber, nanoTime, bulkState, migration, bootDelay, ethernet, DeviceRevision.CURRENT);
    }

    public VirtualFunctionConfig {
        if (migration == null) {
            throw new IllegalArgumentException("no migration features");
        }
        if (bootDelay == null || bootDelay.isNegative()) {
            throw new IllegalArgumentException("boot delay " + bootDelay + " is not a duration >= 0");
        }
        if (bulkState == null) {
            throw new IllegalArgumentException("no bulk state settings");
        }
        DeviceRevision.check(deviceRevision);
        if (msixVectors < 1 || msixVectors > MAX_MSIX_VECTORS) {
            throw new IllegalArgumentException("MSI-X vector count " + msixVectors + " is not within 1.." + MAX_MSIX_VECTORS);
        }
    }

    public static VirtualFunctionConfig defaults() {
        return new VirtualFunctionConfig(DEFAULT_MSIX_VECTORS, DEFAULT_SERIAL_NUMBER, System::nanoTime);
    }

    public VirtualFunctionConfig withNanoTime(LongSupplier source) {
        return new VirtualFunctionConfig(msixVectors, serialNumber, source, bulkState, migration, bootDelay, ethernet,
                deviceRevision);
    }

    public VirtualFunctionConfig withBulkState(BulkStateSettings settings) {
        return new VirtualFunctionConfig(msixVectors, serialNumber, nanoTime, settings, migration, bootDelay, ethernet,
                deviceRevision);
    }

    public VirtualFunctionConfig withBootDelay(Duration delay) {
        return new VirtualFunctionConfig(msixVectors, serialNumber, nanoTime, bulkState, migration, delay, ethernet,
                deviceRevision);
    }

    public VirtualFunctionConfig withMigration(MigrationFeatures features) {
        return new VirtualFunctionConfig(msixVectors, serialNumber, nanoTime, bulkState, features, bootDelay, ethernet,
                deviceRevision);
    }

    public VirtualFunctionConfig withEthernet(boolean on) {
        return new VirtualFunctionConfig(msixVectors, serialNumber, nanoTime, bulkState, migration, bootDelay, on,
                deviceRevision);
    }

    public VirtualFunctionConfig withDeviceRevision(int revision) {
        return new VirtualFunctionConfig(msixVectors, serialNumber, nanoTime, bulkState, migration, bootDelay, ethernet,
                revision);
    }
}
