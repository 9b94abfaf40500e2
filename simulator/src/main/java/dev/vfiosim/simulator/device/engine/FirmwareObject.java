package dev.vfiosim.simulator.device.engine;

/** A firmware object the driver allocated (UAR, PD, transport domain, mkey, queue counter), as state records carry it. */
public record FirmwareObject(Kind kind, int id) {
    public FirmwareObject {
        int limit = kind == Kind.UAR ? dev.vfiosim.simulator.device.Bar0.UAR_COUNT : Firmware.OBJECTS_PER_KIND;
        if (kind == null || id < 0 || id >= limit) {
            throw new IllegalArgumentException(kind + " " + id + " is not an object the firmware hands out");
        }
    }

    /** Kinds by explicit value, so a stream does not depend on declaration order. */
    public enum Kind {
        UAR, PROTECTION_DOMAIN, TRANSPORT_DOMAIN, MEMORY_KEY, QUEUE_COUNTER
    }
}
