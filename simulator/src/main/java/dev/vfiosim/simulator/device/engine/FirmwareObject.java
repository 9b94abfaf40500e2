package dev.vfiosim.simulator.device.engine;

/** A firmware object the driver allocated (UAR, PD, transport domain, mkey, queue counter), as state records carry it. */
public record FirmwareObject(Kind kind, int id) {
    /** Kinds by explicit value, so a stream does not depend on declaration order. */
    public enum Kind {
        UAR, PROTECTION_DOMAIN, TRANSPORT_DOMAIN, MEMORY_KEY, QUEUE_COUNTER
    }
}
