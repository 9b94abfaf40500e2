package dev.vfiosim.simulator.irq;

/** One MSI-X table entry as the client programmed it. */
public record MsixEntry(long address, int data, boolean masked) {
}
