package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;

/**
 * A work queue's counters as a NIC keeps them; also QUERY_VPORT_COUNTER's output.
 *
 * <pre>
 * off   size  field
 * 0x00  u64   packets    sent (SQ) or received into a buffer (RQ)
 * 0x08  u64   bytes      of those packets
 * 0x10  u32   drops      SQ: WQEs completed in error (bad length or DMA fault); RQ: packets not delivered
 *                        (no buffer posted, too long for the buffer, or DMA fault)
 * 0x14  u32   DMA faults guest-memory accesses for this queue the IOMMU refused (WQE, packet, doorbell record)
 * </pre>
 */
public record QueueCounters(long packets, long bytes, long drops, long dmaFaults) {
    public static final int SIZE = 0x18;
    public static final int PACKETS = 0x00;
    public static final int BYTES = 0x08;
    public static final int DROPS = 0x10;
    public static final int DMA_FAULTS = 0x14;
    public static final QueueCounters ZERO = new QueueCounters(0, 0, 0, 0);

    public static QueueCounters decode(ByteBuffer output) {
        return new QueueCounters(output.getLong(PACKETS), output.getLong(BYTES),
                Integer.toUnsignedLong(output.getInt(DROPS)), Integer.toUnsignedLong(output.getInt(DMA_FAULTS)));
    }

    public void encode(ByteBuffer output) {
        output.putLong(PACKETS, packets).putLong(BYTES, bytes).putInt(DROPS, (int) drops).putInt(DMA_FAULTS, (int) dmaFaults);
    }
}
