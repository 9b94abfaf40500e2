package com.example.vmmtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.fixtures.client.ErrorReply;
import dev.vfiosim.fixtures.client.VfioUserClient;
import dev.vfiosim.fixtures.junit.Device;
import dev.vfiosim.fixtures.junit.SimulatedDevice;
import dev.vfiosim.fixtures.junit.SimulatedDeviceExtension;
import dev.vfiosim.simulator.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The extension as a consumer uses it, from outside dev.vfiosim: two devices per test, each
 * configured by annotation. The first test is the one docs/testing.md shows.
 */
@ExtendWith(SimulatedDeviceExtension.class)
class MigrationWithAFaultTest {
    @Test
    void aCorruptStreamIsRefusedAtTheDestination(@Device(stateSize = "256k", dirtyRate = 200) SimulatedDevice source,
            @Device(faults = "plans/resume-flip.json") SimulatedDevice destination) throws Exception {
        ErrorReply refused = assertThrows(ErrorReply.class, () -> source.migrateTo(destination));
        assertEquals(Errno.EINVAL, refused.errno());
        assertTrue(destination.faults().fired().stream().anyMatch(f -> f.ruleId().equals("resume-flip")));
    }

    @Test
    void twoParametersAreTwoDevicesEachWithItsOwnConfiguration(SimulatedDevice a,
            @Device(migration = "stop-copy") SimulatedDevice b) {
        assertTrue(a != b && !a.socketPath().equals(b.socketPath()), "two devices");
        try (VfioUserClient ca = a.attach(); VfioUserClient cb = b.attach()) {
            assertEquals(7, ca.migrationFlags(), "the default: STOP_COPY | P2P | PRE_COPY");
            assertEquals(1, cb.migrationFlags(), "STOP_COPY only, as annotated");
        }
    }

    @Test
    void aPlainMigrationSucceeds(@Device(stateSize = "64k") SimulatedDevice a, @Device(stateSize = "64k") SimulatedDevice b) {
        assertTrue(a.migrateTo(b).stopCopyBytes() > 64 * 1024, "the bulk pages went over");
    }
}
