package dev.vfiosim.simulator.pci;

/**
 * Lays out the standard capability list from 0x40 and the extended list from 0x100, each
 * capability dword-aligned right after the previous one, and chains the next pointers.
 *
 * <pre>
 * standard header  bits   extended header (dword)  bits
 * +0 capability ID  7:0   capability ID            15:0
 * +1 next pointer   7:0   version                  19:16
 *                         next offset              31:20
 * </pre>
 */
public final class CapabilityListBuilder {
    public static final int EXTENDED_START = 0x100;
    private static final int NEXT_POINTER = 1;
    private static final int EXTENDED_VERSION_SHIFT = 16;
    private static final int EXTENDED_NEXT_SHIFT = 20;

    private final ConfigSpace config;
    private int nextStandard = PciHeader.END;
    private int previousNextPointer = PciHeader.CAPABILITIES_POINTER;
    private int nextExtended = EXTENDED_START;
    private int previousExtended = -1;
    private int previousExtendedHeader;

    public CapabilityListBuilder(ConfigSpace config) {
        this.config = config;
    }

    /** Appends a standard capability and returns its offset. */
    public int add(Capability capability) {
        int offset = nextStandard;
        if (offset + capability.length() > EXTENDED_START) {
            throw new IllegalStateException("capability 0x" + Integer.toHexString(capability.id())
                    + " does not fit in the standard config space");
        }
        config.defineReadOnly(offset, 1, capability.id());
        config.defineReadOnly(offset + NEXT_POINTER, 1, 0);
        capability.define(config, offset);
        config.defineReadOnly(previousNextPointer, 1, offset);
        config.reflect(PciHeader.STATUS, 2, PciHeader.STATUS_CAPABILITIES_LIST, true);
        previousNextPointer = offset + NEXT_POINTER;
        nextStandard = alignToDword(offset + capability.length());
        return offset;
    }

    /** Appends an extended capability and returns its offset. */
    public int add(ExtendedCapability capability) {
        int offset = nextExtended;
        if (offset + capability.length() > ConfigSpace.SIZE) {
            throw new IllegalStateException("extended capability 0x" + Integer.toHexString(capability.id())
                    + " does not fit in the config space");
        }
        int header = capability.id() | capability.version() << EXTENDED_VERSION_SHIFT;
        config.defineReadOnly(offset, Integer.BYTES, header);
        capability.define(config, offset);
        if (previousExtended >= 0) {
            config.defineReadOnly(previousExtended, Integer.BYTES,
                    previousExtendedHeader | offset << EXTENDED_NEXT_SHIFT);
        }
        previousExtended = offset;
        previousExtendedHeader = header;
        nextExtended = alignToDword(offset + capability.length());
        return offset;
    }

    private static int alignToDword(int offset) {
        return (offset + Integer.BYTES - 1) & -Integer.BYTES;
    }
}
