package dev.vfiosim.simulator.pci;

/**
 * A capability in the standard list (0x40-0xFF). The {@link CapabilityListBuilder} writes the
 * two header bytes (ID, next pointer); the capability defines its registers after them.
 */
public interface Capability {
    /** Bytes of the standard capability header: ID and next pointer. */
    int HEADER_LENGTH = 2;

    int id();

    /** Total length including the header. */
    int length();

    /** Defines the registers from {@code offset + HEADER_LENGTH} on. */
    void define(ConfigSpace config, int offset);
}
