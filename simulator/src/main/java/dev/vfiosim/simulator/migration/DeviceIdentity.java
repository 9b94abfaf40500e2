package dev.vfiosim.simulator.migration;

/**
 * Who wrote a migration stream: the PCI vendor and device id and the model revision of the
 * simulated function. A destination accepts only a stream from an identical identity.
 */
public record DeviceIdentity(int vendorId, int deviceId, int modelRevision) {
    public DeviceIdentity {
        if ((vendorId & ~0xffff) != 0 || (deviceId & ~0xffff) != 0) {
            throw new IllegalArgumentException("PCI ids are 16 bits: " + vendorId + ", " + deviceId);
        }
    }
}
