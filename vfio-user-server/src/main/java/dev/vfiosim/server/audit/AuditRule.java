package dev.vfiosim.server.audit;

/**
 * The rules of the migration contract the device referees, each decided from what the device itself
 * observed. The table in docs/audit.md explains each one; {@code source} names the uAPI rule or the
 * section of the project's migration reference it comes from.
 */
public enum AuditRule {
    INTERRUPT_LOST(1, "interrupt-lost", Severity.ERROR,
            "the device raised an interrupt while no eventfd was wired to deliver it",
            "vfio uAPI: SET_IRQS wiring is VMM-owned, restored by the VMM (reference §3.1, §3.2 step 3)"),
    RESTORED_STATE_UNMAPPED(2, "restored-state-unmapped", Severity.ERROR,
            "the device ran with restored queues / command interface / event rings at IOVAs the VMM had not mapped",
            "vfio uAPI: DMA mappings are VMM-owned and never in the stream (reference §3.1; QEMU maps at realize, §3.2)"),
    CONFIG_NOT_RESTORED(3, "config-not-restored", Severity.ERROR,
            "the device ran with a restored, active engine but bus mastering off or BAR0 unprogrammed",
            "vfio uAPI: config space is VMM-owned, restored by the VMM before the device runs (reference §3.1, §3.2 step 3)"),
    DIRTY_PAGES_UNCOLLECTED(4, "dirty-pages-uncollected", Severity.ERROR,
            "the device wrote guest pages during the save that no DMA_LOGGING_REPORT returned before the save ended",
            "vfio uAPI DMA logging: the VMM resends the pages the device wrote (reference §2.10)"),
    STREAM_NOT_DRAINED(5, "stream-not-drained", Severity.ERROR,
            "the VMM left STOP_COPY before reading the stream to its end",
            "vfio uAPI data fd: in STOP_COPY read until read() returns 0 (reference §2.7)"),
    DEVICE_TOUCHED_WHILE_STOPPED(6, "device-touched-while-stopped", Severity.WARNING,
            "the VMM wrote a BAR in STOP_COPY (or rang a doorbell while the device was stopped: info, it is latched)",
            "vfio uAPI STOP_COPY: the user should keep away from device regions or risk a corrupt stream (reference §2.3)"),
    IRQ_RESTORE_TIMING(7, "irq-restore-timing", Severity.INFO,
            "when the VMM restored interrupt wiring: during RESUMING (QEMU) or in STOP after the load (the thread's proposal)",
            "uAPI thread of Nov 2021 (reference §1.5) and QEMU's order (§3.2); error under --irq-restore=stop-only|resuming-only"),
    LEFT_MID_MIGRATION(8, "left-mid-migration", Severity.WARNING,
            "the client disconnected with the device outside RUNNING or with a save or resume session open",
            "vfio uAPI: after a failed migration the VMM puts the source back to RUNNING and resets the destination (reference §5.6)"),
    INITIAL_BYTES_UNSENT(9, "initial-bytes-unsent", Severity.WARNING,
            "pre-copy ended while PRECOPY_INFO still reported initial bytes the VMM had not read",
            "vfio uAPI PRECOPY_INFO: switch to STOP_COPY once initial_bytes reaches 0 (reference §2.8; QEMU switchover-ack §5.4)");

    private final int number;
    private final String id;
    private final Severity severity;
    private final String explanation;
    private final String source;

    AuditRule(int number, String id, Severity severity, String explanation, String source) {
        this.number = number;
        this.id = id;
        this.severity = severity;
        this.explanation = explanation;
        this.source = source;
    }

    /** The rule's number in issue 12 and docs/audit.md. */
    public int number() {
        return number;
    }

    public String id() {
        return id;
    }

    /** The severity of a finding of this rule unless the finding says otherwise (rules 6 and 7 vary). */
    public Severity severity() {
        return severity;
    }

    public String explanation() {
        return explanation;
    }

    public String source() {
        return source;
    }

    public static AuditRule byId(String id) {
        for (AuditRule r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no audit rule " + id);
    }
}
