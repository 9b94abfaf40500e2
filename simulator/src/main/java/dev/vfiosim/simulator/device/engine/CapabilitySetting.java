package dev.vfiosim.simulator.device.engine;

/** A general capability field SET_HCA_CAP changed, by {@link GeneralCapabilities.Field} name, as state records carry it. */
public record CapabilitySetting(String field, long value) {
}
