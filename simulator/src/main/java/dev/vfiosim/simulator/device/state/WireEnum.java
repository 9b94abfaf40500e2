package dev.vfiosim.simulator.device.state;

/**
 * An enum that a state record may carry: each constant says the number it travels as, so that
 * reordering or inserting constants never changes what an existing stream means.
 */
public interface WireEnum {
    /** The constant's number in a migration stream (u16); unique within the enum, never reused. */
    int wireValue();
}
