package dev.vfiosim.simulator.api;

import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaMappingListener;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.pci.ConfigSpace;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;

/**
 * What a device sees of the host that serves it: where it declares itself (during
 * {@link DeviceModel#define}) and its ports to the outside (for its whole life). Declarations are
 * accepted only during {@code define}; the ports may be kept and used from any thread.
 */
public interface DeviceHost {
    /**
     * The function's config space (4 KiB, all zero and read-only until defined): define the header
     * with {@link dev.vfiosim.simulator.pci.PciHeader#define}, the BARs with
     * {@link dev.vfiosim.simulator.pci.BarDescriptor#define}, capabilities with a
     * {@link dev.vfiosim.simulator.pci.CapabilityListBuilder}, and hook the registers the device acts
     * on with {@link ConfigSpace#onWrite}. The host serves it as region 7 (CONFIG) unless the device
     * declares region 7 itself. Config space belongs to the VMM: it never travels in a migration.
     */
    ConfigSpace config();

    /** How many bytes region 7 reports: 4096 (PCI Express, the default) or 256 (conventional PCI). */
    void configSize(int bytes);

    /**
     * Declares region {@code index} (0..5 BARs, 6 ROM, 7 CONFIG to serve config space itself, 8
     * VGA). Regions not declared report size 0; every access to them fails with EINVAL.
     */
    void region(int index, RegionSpec region);

    /**
     * Declares the interrupt indices and returns the device's interrupt port: {@code raise} (INTx
     * as a level, MSI-X through masking), {@code fire} (MSI-X vector or INTx, whichever the VMM
     * enabled), {@code lowerIntx}, and the MSI-X table and PBA register blocks to place in a BAR.
     * The host delivers, masks, holds pending and counts. Without a call the device has INTx, ERR
     * and REQ ({@link IrqLayout#INTX_ONLY}).
     */
    InterruptController interrupts(IrqLayout layout);

    /**
     * The device's DMA port: reads and writes guest memory by IOVA through the attached client's
     * mappings (dirty-logged, fault-injected), faulting with
     * {@link dev.vfiosim.simulator.dma.DmaFaultException} when nothing covers the access. The same
     * object for the device's whole life; it follows whichever client is attached.
     */
    Dma dma();

    /**
     * Hears of the client's DMA mappings as they come and go (libvfio-user's dma_register and
     * dma_unregister), for a device that keeps its own table of guest regions; most devices need
     * none and use {@link #dma()} by IOVA. The listener runs on the server's command thread.
     */
    default void dmaMappings(DmaMappingListener listener) {
        throw new UnsupportedOperationException("this host does not report DMA mappings");
    }

    /** Makes memory the client may mmap (memfd-backed when served); name it for logs. */
    SharedMemoryAllocator memory();

    /** The device migrates in libvfio-user's style: opaque bytes it produces and consumes itself. */
    void migration(OpaqueMigration migration);

    /** The device migrates in the project's style: framed, checksummed records of its components. */
    void migration(RecordMigration migration);

    /**
     * A function-level reset the device's own registers asked for (e.g. PCIe Device Control
     * Initiate FLR): the host resets exactly as for DEVICE_RESET, {@link DeviceModel#reset} included.
     */
    void functionReset();
}
