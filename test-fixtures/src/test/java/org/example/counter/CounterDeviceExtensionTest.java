package org.example.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vfiosim.fixtures.client.VfioUserClient;
import dev.vfiosim.fixtures.junit.Device;
import dev.vfiosim.fixtures.junit.SimulatedDevice;
import dev.vfiosim.fixtures.junit.SimulatedDeviceExtension;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.pci.PciHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A user's own model through the JUnit extension: {@code @Device(model = ..., options = ...)}. */
@ExtendWith(SimulatedDeviceExtension.class)
class CounterDeviceExtensionTest {
    @Test
    void theExtensionServesAModelByNameWithItsOptions(
            @Device(model = CounterDeviceProvider.NAME, options = "migration=pre-copy") SimulatedDevice src,
            @Device(model = CounterDeviceProvider.NAME) SimulatedDevice dst) {
        try (VfioUserClient c = src.attach()) {
            assertEquals(CounterDevice.IDENTITY.deviceId(), c.readRegister(7, PciHeader.DEVICE_ID, 2));
            assertEquals(MigrationFeatures.WITH_PRE_COPY.flags(), c.migrationFlags(), "the option reached the model");
            c.writeRegister(0, CounterDevice.COUNTER, 4, 99);
        }
        try (VfioUserClient c = dst.attach()) {
            assertEquals(MigrationFeatures.STOP_COPY_ONLY.flags(), c.migrationFlags(), "the model's own default");
        }
        src.migrateTo(dst);
        try (VfioUserClient c = dst.attach()) {
            assertEquals(99, c.readRegister(0, CounterDevice.COUNTER, 4), "pre-copy source, stop-copy destination");
        }
    }
}
