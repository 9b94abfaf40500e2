package dev.vfiosim.simulator.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {
    @Test
    void unitsAndIso() {
        assertEquals(Duration.ofMillis(250), DurationText.parse("250ms"));
        assertEquals(Duration.ofSeconds(2), DurationText.parse("2s"));
        assertEquals(Duration.ofMillis(1500), DurationText.parse("1.5s"));
        assertEquals(Duration.ofNanos(100_000), DurationText.parse("100us"));
        assertEquals(Duration.ofMinutes(5), DurationText.parse("5m"));
        assertEquals(Duration.ofMillis(250), DurationText.parse("PT0.25S"));
    }

    @Test
    void refusesWhatIsAmbiguousOrNegative() {
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("100"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("-5ms"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("PT-1S"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("5 fortnights"));
    }

    @Test
    void formatRoundTrips() {
        for (String s : new String[] {"250ms", "2s", "1500us", "5m", "0s", "7ns", "1h"}) {
            assertEquals(s, DurationText.format(DurationText.parse(s)));
        }
    }
}
