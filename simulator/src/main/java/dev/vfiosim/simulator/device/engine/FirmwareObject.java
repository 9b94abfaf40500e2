package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.device.state.WireEnum;

/** A firmware object the driver allocated (UAR, PD, transport domain, mkey, queue counter), as state records carry it. */
public record FirmwareObject(Kind kind, int id) {
    public FirmwareObject {
        int limit = kind == Kind.UAR ? dev.vfiosim.simulator.device.Bar0.UAR_COUNT : Firmware.OBJECTS_PER_KIND;
        if (kind == null || id < 0 || id >= limit) {
            throw new IllegalArgumentException(kind + " " + id + " is not an object the firmware hands out");
        }
    }

    /** Kinds by explicit value, so a stream does not depend on declaration order. */
    public enum Kind implements WireEnum {
        UAR(0), PROTECTION_DOMAIN(1), TRANSPORT_DOMAIN(2), MEMORY_KEY(3), QUEUE_COUNTER(4);

        private final int wireValue;

        Kind(int wireValue) {
            this.wireValue = wireValue;
        }

        @Override
        public int wireValue() {
            return wireValue;
        }
    }
}
