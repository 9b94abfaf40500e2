package dev.vfiosim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vfiosim.simulator.migration.MigrationFeatures;
import org.junit.jupiter.api.Test;

class SizeTextTest {
    @Test
    void unitsAreBinary() {
        assertEquals(4096, SizeText.parse("4096"));
        assertEquals(4L << 10, SizeText.parse("4k"));
        assertEquals(64L << 20, SizeText.parse(" 64M "));
        assertEquals(1L << 30, SizeText.parse("1g"));
    }

    @Test
    void mistakesAreNamed() {
        assertEquals("'-5' is negative", assertThrows(IllegalArgumentException.class, () -> SizeText.parse("-5")).getMessage());
        assertEquals("'12x' is not a size (a number with k, m or g)",
                assertThrows(IllegalArgumentException.class, () -> SizeText.parse("12x")).getMessage());
        assertEquals("'99999999999999g' is too large",
                assertThrows(IllegalArgumentException.class, () -> SizeText.parse("99999999999999g")).getMessage());
    }

    @Test
    void migrationFeaturesHaveOneSetOfNames() {
        assertEquals(MigrationFeatures.WITH_P2P, MigrationFeatures.byName("p2p"));
        assertEquals(MigrationFeatures.ALL, MigrationFeatures.byName("all"));
        assertThrows(IllegalArgumentException.class, () -> MigrationFeatures.byName("everything"));
    }
}
