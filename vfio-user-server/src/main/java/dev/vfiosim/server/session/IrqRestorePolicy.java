package dev.vfiosim.server.session;

import dev.vfiosim.simulator.VfioMigration;

/**
 * When a stopped device accepts DEVICE_SET_IRQS. The uAPI lets a VMM restore interrupt wiring while
 * the device is RESUMING or once it is STOP, and VMMs differ (QEMU does it in RESUMING, after the
 * last data byte); this switch makes the device strict about one reading so that a VMM can be tested
 * against a device that holds the other. In every other state SET_IRQS is always accepted.
 */
public enum IrqRestorePolicy {
    /** Accepted in STOP and RESUMING alike (the kernel's behaviour). */
    ANY,
    /** Refused while RESUMING: the VMM must wait until the device is STOP. */
    STOP_ONLY,
    /** Refused while STOP: the VMM must restore during RESUMING. */
    RESUMING_ONLY;

    /** Whether SET_IRQS is accepted in {@code state} (a uAPI state number). */
    public boolean accepts(int state) {
        return switch (this) {
            case ANY -> true;
            case STOP_ONLY -> state != VfioMigration.RESUMING;
            case RESUMING_ONLY -> state != VfioMigration.STOP;
        };
    }

    /** The option's spelling on the command line: any, stop-only, resuming-only. */
    public static IrqRestorePolicy parse(String text) {
        for (IrqRestorePolicy p : values()) {
            if (p.name().toLowerCase().replace('_', '-').equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("irq-restore must be any, stop-only or resuming-only, got " + text);
    }
}
