package dev.vfiosim.simulator.pci;

/** Who a function says it is in its config header. {@code classCode} is the 24-bit class/subclass/prog-if. */
public record PciIdentity(
        int vendorId, int deviceId, int revision, int classCode, int subsystemVendorId, int subsystemId) {
}
