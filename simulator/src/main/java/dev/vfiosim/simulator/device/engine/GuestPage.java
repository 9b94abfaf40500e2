package dev.vfiosim.simulator.device.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A reference to one page of guest memory the driver handed the device (an EQ page, a firmware
 * page): state records carry the IOVA only, since the VMM migrates guest memory itself.
 */
public record GuestPage(long iova) {
    static List<GuestPage> of(long[] iovas) {
        List<GuestPage> pages = new ArrayList<>(iovas.length);
        for (long iova : iovas) {
            pages.add(new GuestPage(iova));
        }
        return pages;
    }

    static long[] iovas(List<GuestPage> pages) {
        return pages.stream().mapToLong(GuestPage::iova).toArray();
    }
}
