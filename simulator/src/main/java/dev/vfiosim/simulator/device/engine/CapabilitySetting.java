package dev.vfiosim.simulator.device.engine;

/** A general capability field SET_HCA_CAP changed, by {@link GeneralCapabilities.Field} name, as state records carry it. */
public record CapabilitySetting(String field, long value) {
    public CapabilitySetting {
        boolean settable = java.util.Arrays.stream(GeneralCapabilities.Field.values())
                .anyMatch(f -> f.settable && f.name().equals(field));
        if (!settable) {
            throw new IllegalArgumentException("capability field " + field + " is not one SET_HCA_CAP changes");
        }
    }
}
