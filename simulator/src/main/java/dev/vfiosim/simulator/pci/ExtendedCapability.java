package dev.vfiosim.simulator.pci;

/**
 * A capability in the extended list (0x100-0xFFF). The {@link CapabilityListBuilder} writes the
 * header dword (ID, version, next offset); the capability defines its registers after it.
 */
public interface ExtendedCapability {
    /** Bytes of the extended capability header dword. */
    int HEADER_LENGTH = 4;

    int id();

    int version();

    /** Total length including the header. */
    int length();

    /** Defines the registers from {@code offset + HEADER_LENGTH} on. */
    void define(ConfigSpace config, int offset);
}
