package dev.vfiosim.server.audit;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.IrqSet;
import dev.vfiosim.server.protocol.MigrationData;
import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.server.protocol.RegionAccess;
import dev.vfiosim.server.protocol.RegionWriteMulti;
import dev.vfiosim.server.session.AuditHook;
import dev.vfiosim.server.session.IrqRestorePolicy;
import dev.vfiosim.simulator.api.ContractFacts;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.host.HostedDevice;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.migration.MigrationState;
import dev.vfiosim.simulator.pci.PciHeader;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The referee of one device: watches what the VMM does on each session against the device's
 * migration state and what the device itself did, and records a {@link Finding} wherever the
 * contract of docs/audit.md is broken. It outlives sessions (a finding about the source is read
 * after the VMM has gone). In {@link AuditMode#STRICT} an error finding of rules 2, 3 and 7 fails
 * the offending request with EINVAL.
 *
 * <p>Threads: commands arrive one at a time from the session's reader or worker; interrupts and
 * DMA writes from the device's threads. The migration bookkeeping belongs to the command thread;
 * the page sets and the findings are guarded by {@code this}.
 */
public final class MigrationAudit implements AuditHook {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationAudit.class);
    static final int PAGE_SHIFT = 12;
    /** Pages kept per set; beyond it only counted, so a device writing all of RAM costs bounded memory. */
    static final int MAX_TRACKED_PAGES = 1 << 20;
    /** Ranges and references listed in one finding's details at most. */
    static final int MAX_LISTED = 16;

    private final VfioDevice device;
    /** What the device says about its own state (the device API's optional ContractFacts), or null. */
    private final ContractFacts contract;
    private final VfioMigration migration;
    private final AuditMode mode;
    private final IrqRestorePolicy irqRestore;
    private final List<Finding> findings = new ArrayList<>();
    private final Set<String> madeOnce = new HashSet<>();
    private final List<Consumer<Finding>> listeners = new CopyOnWriteArrayList<>();
    private volatile SessionFacts facts;
    private volatile java.nio.file.Path reportFile;

    // the command in flight (command thread)
    private int arcFrom = -1;
    private int arcTo;
    private long reportIova;
    private long reportLength;
    private boolean reportAsked;

    // migration bookkeeping (command thread)
    private boolean resumeOpen;
    private boolean resumeCommitted;
    private boolean irqTimingNoted;
    private boolean streamEnded;
    private boolean lastSaveDrained;
    private long stopCopyBytes;
    private long lastInitialBytes = -1;
    private long readSinceInfo;
    private boolean switchoverChecked;

    // guest pages the device wrote in the save window (guarded by this)
    private volatile boolean window;
    private boolean logging;
    private final PageSet neverLogged = new PageSet();
    private final PageSet notReported = new PageSet();

    public MigrationAudit(VfioDevice device, AuditMode mode, IrqRestorePolicy irqRestore) {
        if (mode == AuditMode.OFF) {
            throw new IllegalArgumentException("an audit that is off is no audit: pass none to the server");
        }
        this.device = device;
        this.contract = device instanceof ContractFacts own ? own
                : device instanceof HostedDevice hosted && hosted.model() instanceof ContractFacts model ? model : null;
        this.migration = device.migration();
        this.mode = mode;
        this.irqRestore = irqRestore;
    }

    public AuditMode mode() {
        return mode;
    }

    /**
     * Where the JSON report goes: at each disconnect once there are findings, and at
     * {@link #writeReport()} (exit); {@code null} for nowhere.
     */
    public MigrationAudit reportTo(java.nio.file.Path file) {
        this.reportFile = file;
        return this;
    }

    /** Writes the JSON report now, if there is a report file; a failure is logged, never thrown. */
    public void writeReport() {
        java.nio.file.Path file = reportFile;
        if (file == null) {
            return;
        }
        try {
            AuditReport.write(this, file);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("audit report {} not written: {}", file, e.toString());
        }
    }

    /** Called with every new finding (the trace, the report file), on the thread that made it. */
    public void addListener(Consumer<Finding> listener) {
        listeners.add(listener);
    }

    /** The findings so far, oldest first. */
    public synchronized List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** Findings that are errors or warnings: what a clean VMM has none of. */
    public List<Finding> problems() {
        return findings().stream().filter(f -> f.severity() != Severity.INFO).toList();
    }

    @Override
    public void attached(SessionFacts sessionFacts) {
        this.facts = sessionFacts;
    }

    @Override
    public void detached(String why) {
        if (migration != null) {
            int s = migration.state();
            boolean sessionOpen = s == VfioMigration.RESUMING || saving(s);
            if (s != VfioMigration.RUNNING && (sessionOpen || s != VfioMigration.STOP || !lastSaveDrained)) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("deviceState", stateName(s));
                d.put("sessionOpen", sessionOpen ? (s == VfioMigration.RESUMING ? "resume" : "save") : "none");
                d.put("disconnect", why);
                record(AuditRule.LEFT_MID_MIGRATION, AuditRule.LEFT_MID_MIGRATION.severity(), "the client left the device in "
                        + stateName(s) + (sessionOpen ? " with its " + d.get("sessionOpen") + " session open" : "")
                        + " instead of RUNNING (or STOP after a completed save)", d);
            }
        }
        synchronized (this) {
            logging = false;   // the session's teardown stops DMA logging
            closeWindow(false);
        }
        facts = null;
        arcFrom = -1;
        if (!findings().isEmpty()) {
            writeReport();   // a clean session leaves no file behind until exit, so the file's appearance means a finding
        }
    }

    @Override
    public Dma watch(Dma dma) {
        return new Dma() {
            @Override
            public void read(long iova, ByteBuffer dst) {
                dma.read(iova, dst);
            }

            @Override
            public void write(long iova, ByteBuffer src) {
                // noted before the write: a REPORT racing it then finds the page in the log or
                // clears it here, never leaves a reported page looking uncollected
                if (window) {
                    deviceWrote(iova, src.remaining());
                }
                dma.write(iova, src);
            }

            @Override
            public Dma viaMessages() {
                // the device's message-based DMA (Dma.viaMessages) is watched the same way
                return dma.viaMessages() == dma ? this : watch(dma.viaMessages());
            }
        };
    }

    @Override
    public void interrupt(IrqType type, int vector, boolean delivered) {
        if (delivered) {
            return;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("irq", type.name());
        d.put("vector", vector);
        recordOnce(AuditRule.INTERRUPT_LOST, Severity.ERROR, type + "/" + vector, type + " vector " + vector
                + " raised with no eventfd wired to it: the guest never sees this interrupt", d);
    }

    // ---- commands ----

    @Override
    public void beforeCommand(Command command, int msgId, ByteBuffer payload, int fdCount) {
        switch (command) {
            case DEVICE_FEATURE -> beforeFeature(payload);
            case DEVICE_SET_IRQS -> beforeSetIrqs(payload, fdCount);
            case REGION_WRITE -> {
                if (payload.remaining() >= RegionAccess.SIZE) {
                    regionWritten(RegionAccess.region(payload), RegionAccess.offset(payload));
                }
            }
            case REGION_WRITE_MULTI -> beforeWriteMulti(payload);
            default -> { }
        }
    }

    @Override
    public void afterCommand(Command command, int msgId, ByteBuffer payload, ByteBuffer reply, int errno) {
        switch (command) {
            case DEVICE_FEATURE -> afterFeature(payload, reply, errno);
            case MIG_DATA_READ -> {
                if (errno == 0 && migration != null && reply.remaining() >= MigrationData.SIZE) {
                    dataRead(Integer.toUnsignedLong(reply.getInt(reply.position() + 4)));
                }
            }
            case DEVICE_RESET -> {
                if (errno == 0) {
                    deviceReset();
                }
            }
            default -> { }
        }
    }

    private static int flags(ByteBuffer payload) {
        return payload.remaining() < DeviceFeature.SIZE ? 0 : payload.getInt(payload.position() + 4);
    }

    private void beforeFeature(ByteBuffer payload) {
        int flags = flags(payload);
        int feature = flags & DeviceFeature.INDEX_MASK;
        boolean set = (flags & DeviceFeature.SET) != 0 && (flags & DeviceFeature.PROBE) == 0;
        boolean get = (flags & DeviceFeature.GET) != 0 && (flags & DeviceFeature.PROBE) == 0;
        int data = payload.position() + DeviceFeature.SIZE;
        if (feature == DeviceFeature.MIG_DEVICE_STATE && set && migration != null && payload.remaining() >= DeviceFeature.SIZE + 4) {
            arcFrom = migration.state();
            arcTo = payload.getInt(data);
            beforeArc();
        } else if (feature == DeviceFeature.DMA_LOGGING_REPORT && get && payload.remaining() >= DeviceFeature.SIZE + 16) {
            reportIova = payload.getLong(data);
            reportLength = payload.getLong(data + 8);
            reportAsked = true;
        }
    }

    private void afterFeature(ByteBuffer payload, ByteBuffer reply, int errno) {
        int flags = flags(payload);
        int feature = flags & DeviceFeature.INDEX_MASK;
        if (arcFrom >= 0) {
            int from = arcFrom;
            arcFrom = -1;
            int now = migration.state();
            if (now != from) {
                arcDone(from, errno == 0 ? arcTo : now);
            }
        } else if (errno == 0 && (flags & DeviceFeature.PROBE) == 0) {
            switch (feature) {
                case DeviceFeature.DMA_LOGGING_START -> loggingStarted();
                case DeviceFeature.DMA_LOGGING_STOP -> loggingStopped();
                case DeviceFeature.DMA_LOGGING_REPORT -> {
                    if (reportAsked) {
                        collected(reportIova, reportLength);
                    }
                }
                case DeviceFeature.PRECOPY_INFO -> {
                    if (reply.remaining() >= DeviceFeature.SIZE + 16) {
                        lastInitialBytes = reply.getLong(reply.position() + DeviceFeature.SIZE);
                        readSinceInfo = 0;
                    }
                }
                default -> { }
            }
        }
        reportAsked = false;
    }

    // ---- migration arcs ----

    private static boolean saving(int s) {
        return s == VfioMigration.PRE_COPY || s == VfioMigration.PRE_COPY_P2P || s == VfioMigration.STOP_COPY;
    }

    private static boolean precopy(int s) {
        return s == VfioMigration.PRE_COPY || s == VfioMigration.PRE_COPY_P2P;
    }

    private static boolean runs(int s) {
        return s == VfioMigration.RUNNING || s == VfioMigration.RUNNING_P2P || precopy(s);
    }

    /** Before a SET of the device state: rule 9, and in strict mode rules 2 and 3 ahead of the arc. */
    private void beforeArc() {
        int from = arcFrom;
        int to = arcTo;
        boolean switchover = precopy(from) && (to == VfioMigration.STOP_COPY || to == VfioMigration.STOP
                || (from == VfioMigration.PRE_COPY && to == VfioMigration.PRE_COPY_P2P));
        if (switchover && !switchoverChecked) {
            switchoverChecked = true;
            long unsent = lastInitialBytes - readSinceInfo;
            if (lastInitialBytes > 0 && unsent > 0) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("initialBytesReported", lastInitialBytes);
                d.put("bytesReadSince", readSinceInfo);
                d.put("initialBytesUnsent", unsent);
                d.put("arc", stateName(from) + " -> " + stateName(to));
                record(AuditRule.INITIAL_BYTES_UNSENT, Severity.WARNING, "switched over (" + stateName(from) + " -> "
                        + stateName(to) + ") with " + unsent + " of the " + lastInitialBytes
                        + " initial bytes PRECOPY_INFO reported still unread", d);
            }
        }
        if (mode == AuditMode.STRICT && resumeOpen && runs(to) && (from == VfioMigration.RESUMING || from == VfioMigration.STOP)) {
            if (from == VfioMigration.RESUMING) {
                // the load is finalised at RESUMING -> STOP: take that arc first so that the restored
                // state can be judged; a refusal then leaves the device in STOP, a state on the
                // requested path, as a failed SET may (reference §2.6)
                migration.setState(VfioMigration.STOP);
                arcDone(VfioMigration.RESUMING, VfioMigration.STOP);
                arcFrom = VfioMigration.STOP;
            }
            List<Finding> errors = judgeRestoredState();
            if (!errors.isEmpty()) {
                throw ProtocolException.invalid("refused by --audit=strict: " + errors.get(0).message());
            }
            resumeOpen = false;
        }
    }

    /** The device went from {@code from} to {@code to} (one request, however many arcs). */
    private void arcDone(int from, int to) {
        if (to == VfioMigration.RESUMING) {
            resumeOpen = true;
            resumeCommitted = false;
            irqTimingNoted = false;
            forgetOnce();
        } else if (from == VfioMigration.RESUMING) {
            resumeCommitted = true;
        }
        if (!saving(from) && saving(to)) {
            streamEnded = false;
            stopCopyBytes = 0;
            lastInitialBytes = -1;
            readSinceInfo = 0;
            switchoverChecked = false;
            openWindow();
        }
        if (saving(from) && !saving(to)) {
            saveEnded(from, to);
        }
        if (to == VfioMigration.RUNNING) {
            lastSaveDrained = false;
        }
        if (resumeOpen && runs(to)) {
            judgeRestoredState();
            resumeOpen = false;
        }
    }

    private void saveEnded(int from, int to) {
        boolean completed = from == VfioMigration.STOP_COPY && to == VfioMigration.STOP;
        if (completed && !streamEnded) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("stopCopyBytesRead", stopCopyBytes);
            d.put("arc", stateName(from) + " -> " + stateName(to));
            record(AuditRule.STREAM_NOT_DRAINED, Severity.ERROR, "left STOP_COPY after reading " + stopCopyBytes
                    + " bytes, before MIG_DATA_READ returned the end of the stream (0 bytes)", d);
        }
        lastSaveDrained = completed && streamEnded;
        closeWindow(to == VfioMigration.STOP);
    }

    private void dataRead(long bytes) {
        int s = migration.state();
        if (s == VfioMigration.STOP_COPY) {
            stopCopyBytes += bytes;
            if (bytes == 0) {
                streamEnded = true;
            }
        } else if (precopy(s)) {
            readSinceInfo += bytes;
        }
    }

    private void deviceReset() {
        resumeOpen = false;
        resumeCommitted = false;
        lastSaveDrained = false;
        closeWindow(false);
    }

    /** Rules 2 and 3, when a resumed device is about to run or has just started; returns the errors found. */
    private List<Finding> judgeRestoredState() {
        List<Finding> made = new ArrayList<>();
        if (contract == null) {
            return made;
        }
        List<ContractFacts.GuestReference> refs = contract.guestMemoryReferences();
        SessionFacts f = facts;
        List<Map<String, Object>> unmapped = new ArrayList<>();
        int missing = 0;
        for (ContractFacts.GuestReference r : refs) {
            if (f == null || !f.mapped(r.iova(), r.length())) {
                missing++;
                if (unmapped.size() < MAX_LISTED) {
                    Map<String, Object> u = new LinkedHashMap<>();
                    u.put("what", r.what());
                    u.put("iova", hex(r.iova()));
                    u.put("length", r.length());
                    unmapped.add(u);
                }
            }
        }
        if (missing > 0) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("references", refs.size());
            d.put("unmapped", missing);
            d.put("ranges", unmapped);
            made.add(record(AuditRule.RESTORED_STATE_UNMAPPED, Severity.ERROR, missing + " of the " + refs.size()
                    + " guest ranges the restored state refers to are not DMA-mapped (first: " + unmapped.get(0).get("what")
                    + " at " + unmapped.get(0).get("iova") + ")", d));
        }
        if (!refs.isEmpty()) {
            int command = readConfig(PciHeader.COMMAND, 2);
            int bar0 = readConfig(PciHeader.BAR0, 4);
            boolean bar64 = (bar0 & 0x6) == 0x4;   // BAR type bits 2:1 = 10b: a 64-bit memory BAR
            long address = (bar0 & ~0xFL & 0xFFFF_FFFFL) | (bar64 ? (long) readConfig(PciHeader.BAR0 + 4, 4) << 32 : 0);
            boolean busMaster = (command & PciHeader.COMMAND_BUS_MASTER) != 0;
            if (!busMaster || address == 0) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("command", hex(command));
                d.put("busMaster", busMaster);
                d.put("bar0", hex(address));
                made.add(record(AuditRule.CONFIG_NOT_RESTORED, Severity.ERROR, "the restored engine ("
                        + refs.size() + " guest references) runs with " + (busMaster ? "" : "bus mastering off")
                        + (!busMaster && address == 0 ? " and " : "") + (address == 0 ? "BAR0 unprogrammed" : "")
                        + ": the VMM did not restore config space", d));
            }
        }
        return made;
    }

    private int readConfig(int offset, int width) {
        ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        device.readRegion(VfioRegion.CONFIG, offset, b);
        return width == 2 ? Short.toUnsignedInt(b.getShort(0)) : b.getInt(0);
    }

    // ---- interrupts restored (rule 7) ----

    private void beforeSetIrqs(ByteBuffer payload, int fdCount) {
        if (migration == null || !resumeOpen || irqTimingNoted) {
            return;
        }
        IrqSet set;
        try {
            set = IrqSet.decode(payload.duplicate().order(ByteOrder.LITTLE_ENDIAN), fdCount);
        } catch (RuntimeException malformed) {
            return;   // the session refuses it with the precise errno
        }
        if ((set.flags() & IrqSet.ACTION_TRIGGER) == 0 || (set.flags() & IrqSet.DATA_EVENTFD) == 0 || fdCount == 0) {
            return;
        }
        int s = migration.state();
        String reading;
        if (s == VfioMigration.RESUMING) {
            reading = "during RESUMING, after the data (QEMU's order)";
        } else if (s == VfioMigration.STOP && resumeCommitted) {
            reading = "in STOP after the load (the uAPI thread's proposal)";
        } else {
            return;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("irq", IrqType.ofIndex(set.index()) == null ? set.index() : IrqType.ofIndex(set.index()).name());
        d.put("policy", irqRestore.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        d.put("reading", s == VfioMigration.RESUMING ? "resuming" : "stop");
        if (irqRestore.accepts(s)) {
            irqTimingNoted = true;
            record(AuditRule.IRQ_RESTORE_TIMING, Severity.INFO, "the VMM restored interrupt wiring " + reading, d);
            return;
        }
        Finding f = record(AuditRule.IRQ_RESTORE_TIMING, Severity.ERROR, "the VMM restored interrupt wiring " + reading
                + ", which --irq-restore=" + d.get("policy") + " forbids", d);
        if (mode == AuditMode.STRICT) {
            throw ProtocolException.invalid("refused by --audit=strict: " + f.message());
        }
    }

    // ---- region writes (rule 6) ----

    private void beforeWriteMulti(ByteBuffer payload) {
        int entries;
        try {
            entries = RegionWriteMulti.entryCount(payload);
        } catch (RuntimeException malformed) {
            return;
        }
        for (int i = 0; i < entries; i++) {
            int at = RegionWriteMulti.entryPosition(payload, i);
            regionWritten(payload.getInt(at + 8), payload.getLong(at));
        }
    }

    private void regionWritten(int region, long offset) {
        if (migration == null || region < VfioRegion.BAR0 || region > VfioRegion.BAR5) {
            return;
        }
        int s = migration.state();
        boolean doorbell = contract != null && contract.isDoorbell(region, offset);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("region", region);
        d.put("offset", hex(offset));
        d.put("doorbell", doorbell);
        if (s == VfioMigration.STOP_COPY) {
            recordOnce(AuditRule.DEVICE_TOUCHED_WHILE_STOPPED, Severity.WARNING, "bar-in-stop-copy", "BAR" + region
                    + " written at " + hex(offset) + (doorbell ? " (a doorbell)" : "")
                    + " while STOP_COPY streams the device: the stream may not match the device", d);
        } else if (doorbell && (s == VfioMigration.STOP || s == VfioMigration.RESUMING)) {
            recordOnce(AuditRule.DEVICE_TOUCHED_WHILE_STOPPED, Severity.INFO, "doorbell-in-" + s, "doorbell at BAR"
                    + region + " " + hex(offset) + " rung in " + stateName(s) + ": latched until the device runs", d);
        }
    }

    // ---- guest pages the device wrote (rule 4) ----

    private synchronized void openWindow() {
        window = true;
    }

    private synchronized void loggingStarted() {
        logging = true;
        window = true;
    }

    private synchronized void loggingStopped() {
        logging = false;
        if (migration != null && !saving(migration.state()) && !resumeOpen) {
            closeWindow(false);   // logging without a save around it: nothing was being migrated
        }
    }

    private synchronized void deviceWrote(long iova, long length) {
        if (!window || length <= 0) {
            return;
        }
        (logging ? notReported : neverLogged).add(iova >>> PAGE_SHIFT, (iova + length - 1) >>> PAGE_SHIFT);
    }

    private synchronized void collected(long iova, long length) {
        if (length > 0) {
            notReported.remove(iova >>> PAGE_SHIFT, (iova + length - 1) >>> PAGE_SHIFT);
        }
    }

    /** Ends the save window; {@code judge} when the save completed (the source stopped for good). */
    private synchronized void closeWindow(boolean judge) {
        if (judge && (neverLogged.size() > 0 || notReported.size() > 0)) {
            PageSet all = new PageSet();
            neverLogged.copyTo(all);
            notReported.copyTo(all);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("pages", all.size());
            d.put("neverLogged", neverLogged.size());
            d.put("loggedNotReported", notReported.size());
            d.put("ranges", all.ranges(MAX_LISTED, PAGE_SHIFT));
            String why = neverLogged.size() > 0 && notReported.size() > 0 ? "written while logging was off, or logged and never reported"
                    : neverLogged.size() > 0 ? "written while DMA logging was off" : "logged but returned by no DMA_LOGGING_REPORT";
            record(AuditRule.DIRTY_PAGES_UNCOLLECTED, Severity.ERROR, all.size() + " guest pages the device wrote during the save were "
                    + why + ": the destination's RAM is stale there (first " + all.ranges(1, PAGE_SHIFT).get(0) + ")", d);
        }
        window = logging;
        neverLogged.clear();
        notReported.clear();
    }

    // ---- findings ----

    private void forgetOnce() {
        synchronized (this) {
            madeOnce.clear();
        }
    }

    private void recordOnce(AuditRule rule, Severity severity, String key, String message, Map<String, Object> details) {
        synchronized (this) {
            if (!madeOnce.add(rule.id() + ":" + key)) {
                return;
            }
        }
        record(rule, severity, message, details);
    }

    private Finding record(AuditRule rule, Severity severity, String message, Map<String, Object> details) {
        SessionFacts f = facts;
        Finding finding = new Finding(rule, severity, migration == null ? "-" : stateName(migration.state()),
                f == null ? 0 : f.messagesHandled(), message, details);
        synchronized (this) {
            findings.add(finding);
        }
        if (severity == Severity.INFO) {
            LOG.info(finding.line());
        } else {
            LOG.warn(finding.line());
        }
        for (Consumer<Finding> l : listeners) {
            l.accept(finding);
        }
        return finding;
    }

    static String stateName(int s) {
        return s >= 0 && s < MigrationState.values().length ? MigrationState.ofValue(s).name() : Integer.toString(s);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
