package dev.vfiosim.simulator;

import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.irq.InterruptSink;
import dev.vfiosim.simulator.irq.IrqInfo;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.pci.RegionInfo;
import java.nio.ByteBuffer;

/**
 * The whole surface the server sees of a simulated device: the vfio device operations, each one a
 * direct counterpart of a vfio-user command. Every method validates its arguments against the device
 * and throws {@link DeviceException} carrying the errno for the client; none of them blocks on the
 * client.
 */
public interface VfioDevice extends AutoCloseable {
    /** DEVICE_GET_INFO: the device is a resettable PCI function. */
    int regionCount();

    int irqCount();

    /** DEVICE_GET_REGION_INFO. Throws EINVAL for an index at or beyond {@link #regionCount()}. */
    RegionInfo regionInfo(int index);

    /**
     * REGION_READ: fills {@code dst.remaining()} bytes from {@code offset} of the region. Throws EINVAL
     * for an unknown region or a range outside it.
     */
    void readRegion(int index, long offset, ByteBuffer dst);

    /** REGION_WRITE: consumes {@code src.remaining()} bytes at {@code offset} of the region. */
    void writeRegion(int index, long offset, ByteBuffer src);

    /** DEVICE_GET_IRQ_INFO. Throws EINVAL for an index at or beyond {@link #irqCount()}. */
    IrqInfo irqInfo(int index);

    /** Where interrupts go from now on; the server installs one per connection. */
    void connectInterrupts(InterruptSink sink);

    /**
     * Where the device's DMA goes from now on: the connected client's mappings, {@link Dma#NONE}
     * when no client is attached. Every guest-memory access of the device goes through it.
     */
    void connectDma(Dma dma);

    /**
     * DEVICE_SET_IRQS with ACTION_MASK / ACTION_UNMASK for vectors {@code [start, start+count)} whose
     * flag is set (DATA_NONE = all true). Unmasking a vector with a pending interrupt delivers it.
     */
    void maskIrqs(IrqType type, int start, boolean[] selected, boolean mask);

    /**
     * DEVICE_SET_IRQS EVENTFD|TRIGGER: the VMM wired ({@code assigned}) or unwired vectors. This is
     * what the host kernel does when vfio enables a vector, so it also unmasks (or masks) the vector.
     */
    void irqTriggersAssigned(IrqType type, int start, boolean[] selected, boolean assigned);

    /** DEVICE_SET_IRQS NONE|TRIGGER or BOOL|TRIGGER: the VMM asks the device to raise these vectors. */
    void triggerIrqs(IrqType type, int start, boolean[] selected);

    /** The device's migration operations, or {@code null} for a device that cannot migrate. */
    default VfioMigration migration() {
        return null;
    }

    /**
     * The fault plan the device itself acts on (migration arcs, stream data, sizes); the server acts
     * on the rest. A device without such faults ignores it.
     */
    default void injectFaults(FaultInjector faults) {
    }

    /**
     * The device's own counters and life-cycle state for {@code ctl status}, as plain values, maps
     * and lists (serialised to JSON as they are); empty for a device with nothing to add. Called
     * from the control socket's thread at any time, so it must not wait for long.
     */
    default java.util.Map<String, Object> status() {
        return java.util.Map.of();
    }

    /** DEVICE_RESET (also a function-level reset written to the PCIe Device Control register). */
    void reset();

    @Override
    void close();
}
