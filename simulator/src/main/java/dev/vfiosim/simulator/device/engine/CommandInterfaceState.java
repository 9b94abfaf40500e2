package dev.vfiosim.simulator.device.engine;

import java.util.List;

/**
 * The command interface's and firmware's state as a migration stream carries it. The command queue
 * address and rung-but-unexecuted slots live in the initialisation segment, which describes itself.
 *
 * @param executed commands executed (any status)
 * @param failed of those, the ones with a status other than OK
 * @param ignored doorbell bits for a slot the driver did not hand to HW, or rung before a cmdq address was set
 * @param dmaFaults command entries or mailboxes the device could not read or write back
 * @param issi the interface step SET_ISSI chose (0 until then)
 * @param firmwarePages the pages MANAGE_PAGES gave the device, in the order given (IOVA references)
 * @param objects the UARs, PDs, transport domains, mkeys and queue counters allocated
 * @param settings the general capability fields SET_HCA_CAP changed
 * @param pageRequestSent whether the initialised function has asked for its regular pages (PAGE_REQUEST EQE)
 */
public record CommandInterfaceState(HcaState hca, long executed, long failed, long ignored, long dmaFaults, int issi,
        List<GuestPage> firmwarePages, List<FirmwareObject> objects, List<CapabilitySetting> settings,
        boolean pageRequestSent) {
    public CommandInterfaceState {
        if (firmwarePages.size() > Firmware.MAX_PAGES) {
            throw new IllegalArgumentException(firmwarePages.size() + " firmware pages; the function keeps at most "
                    + Firmware.MAX_PAGES);
        }
        firmwarePages = List.copyOf(firmwarePages);
        objects = List.copyOf(objects);
        settings = List.copyOf(settings);
    }

    public CommandInterfaceState(HcaState hca, long executed, long failed, long ignored, long dmaFaults) {
        this(hca, executed, failed, ignored, dmaFaults, 0, List.of(), List.of(), List.of(), false);
    }
}
