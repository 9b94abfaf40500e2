package dev.vfiosim.simulator.irq;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.pci.ConfigSpace;
import dev.vfiosim.simulator.pci.DwordRegisterBlock;
import dev.vfiosim.simulator.pci.MsixCapability;
import dev.vfiosim.simulator.pci.PciHeader;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Decides, per interrupt, whether it is delivered to the {@link InterruptSink}, held pending or
 * lost, and keeps the per-vector state that decision needs. All methods are synchronized: region
 * accesses arrive on the server's connection thread while device threads raise interrupts. Lock
 * order is always controller, then config space.
 *
 * <p>Rules (docs/device.md, "Interrupts"):
 * <ul>
 *   <li>MSI-X vector v is masked while Message Control.Function Mask is set or its table entry's
 *       Mask bit is set. The entry Mask resets to 1 and is changed by table writes, by SET_IRQS
 *       MASK/UNMASK and by assigning (unmask) or unassigning (mask) its trigger.
 *   <li>A masked MSI-X interrupt sets the vector's PBA bit; when the vector becomes unmasked by
 *       any path, a set bit is cleared and the interrupt delivered once.
 *   <li>INTx is a level: {@link #raise} asserts it (Status.Interrupt Status = 1), {@link
 *       #lowerIntx} deasserts it. It is delivered when asserted unless SET_IRQS masked it or
 *       Command.INTx Disable is set; then it stays pending until both are clear.
 *   <li>ERR and REQ are trigger-only and never masked.
 *   <li>{@link #fire} routes a device event to MSI-X while Message Control.Enable is set or any
 *       MSI-X trigger is assigned, to INTx otherwise.
 * </ul>
 */
public final class InterruptController {
    private static final int INTX_VECTORS = 1;
    private static final int MSI_VECTORS = 0;
    private static final int ERROR_VECTORS = 1;
    private static final int REQUEST_VECTORS = 1;

    private final ConfigSpace config;
    private final int msixMessageControl;
    private final MsixTable msix;
    private final Map<IrqType, IrqInfo> infos = new EnumMap<>(IrqType.class);
    private final Map<IrqType, boolean[]> assigned = new EnumMap<>(IrqType.class);
    private final Map<IrqType, long[]> counts = new EnumMap<>(IrqType.class);
    private InterruptSink sink = InterruptSink.NONE;
    private boolean intxMasked;
    private boolean intxAsserted;
    private boolean intxPending;
    private boolean quiesced;

    private static final int DELIVERED = 0;
    private static final int PENDED = 1;
    private static final int LOST = 2;

    /**
     * @param config the function's config space (read for Function Mask, Enable and INTx Disable)
     * @param msixCapabilityOffset where the MSI-X capability sits in {@code config}
     * @param msix the table and PBA this controller owns from now on
     */
    public InterruptController(ConfigSpace config, int msixCapabilityOffset, MsixTable msix) {
        this.config = config;
        this.msixMessageControl = msixCapabilityOffset + MsixCapability.MESSAGE_CONTROL;
        this.msix = msix;
        infos.put(IrqType.INTX, new IrqInfo(IrqType.INTX, INTX_VECTORS, true, false, false));
        infos.put(IrqType.MSI, new IrqInfo(IrqType.MSI, MSI_VECTORS, false, false, false));
        infos.put(IrqType.MSIX, new IrqInfo(IrqType.MSIX, msix.vectors(), true, false, true));
        infos.put(IrqType.ERR, new IrqInfo(IrqType.ERR, ERROR_VECTORS, false, false, false));
        infos.put(IrqType.REQ, new IrqInfo(IrqType.REQ, REQUEST_VECTORS, false, false, false));
        for (IrqType type : IrqType.values()) {
            assigned.put(type, new boolean[infos.get(type).count()]);
            counts.put(type, new long[LOST + 1]);
        }
    }

    public IrqInfo info(IrqType type) {
        return infos.get(type);
    }

    public synchronized void connect(InterruptSink sink) {
        this.sink = sink == null ? InterruptSink.NONE : sink;
    }

    /** Raises one vector of one type as the device would, through masking. */
    public synchronized void raise(IrqType type, int vector) {
        checkRange(type, vector, 1, "raise");
        switch (type) {
            case MSIX -> {
                if (msixMasked(vector)) {
                    msix.setPending(vector, true);
                    count(type, PENDED);
                    sink.held(type, vector);
                } else {
                    signal(type, vector);
                }
            }
            case INTX -> {
                intxAsserted = true;
                config.reflect(PciHeader.STATUS, 2, PciHeader.STATUS_INTERRUPT, true);
                if (intxBlocked()) {
                    intxPending = true;
                    count(type, PENDED);
                    sink.held(type, vector);
                } else {
                    signal(type, vector);
                }
            }
            default -> signal(type, vector);
        }
    }

    /** A device event on MSI-X vector {@code msixVector}, or on INTx when MSI-X is not in use. */
    public synchronized void fire(int msixVector) {
        if (msixActive()) {
            raise(IrqType.MSIX, msixVector);
        } else {
            raise(IrqType.INTX, 0);
        }
    }

    /** Whether {@link #fire} currently uses MSI-X. */
    public synchronized boolean msixActive() {
        if ((config.read(msixMessageControl, 2) & MsixCapability.ENABLE) != 0) {
            return true;
        }
        for (boolean wired : assigned.get(IrqType.MSIX)) {
            if (wired) {
                return true;
            }
        }
        return false;
    }

    /** The device no longer requests INTx: deasserts the level and forgets a pending INTx. */
    public synchronized void lowerIntx() {
        intxAsserted = false;
        intxPending = false;
        config.reflect(PciHeader.STATUS, 2, PciHeader.STATUS_INTERRUPT, false);
    }

    /** SET_IRQS MASK/UNMASK. */
    public synchronized void mask(IrqType type, int start, boolean[] selected, boolean mask) {
        checkRange(type, start, selected.length, mask ? "mask" : "unmask");
        if (type == IrqType.ERR || type == IrqType.REQ) {
            throw new DeviceException(Errno.EINVAL, type + " interrupts are trigger-only and cannot be "
                    + (mask ? "masked" : "unmasked"));
        }
        forSelected(start, selected, vector -> setMasked(type, vector, mask));
    }

    /** SET_IRQS EVENTFD|TRIGGER: the VMM wired or unwired vectors; wiring unmasks, unwiring masks. */
    public synchronized void assignTriggers(IrqType type, int start, boolean[] selected, boolean wired) {
        checkRange(type, start, selected.length, wired ? "assign triggers" : "unassign triggers");
        forSelected(start, selected, vector -> {
            assigned.get(type)[vector] = wired;
            if (type == IrqType.MSIX || type == IrqType.INTX) {
                setMasked(type, vector, !wired);
            }
        });
    }

    /** SET_IRQS NONE|TRIGGER or BOOL|TRIGGER: the VMM raises vectors as if the device had. */
    public synchronized void trigger(IrqType type, int start, boolean[] selected) {
        checkRange(type, start, selected.length, "trigger");
        boolean deviceQuiesced = quiesced;
        quiesced = false; // the VMM's trigger is not the device raising: a stopped device does not hold it
        try {
            forSelected(start, selected, vector -> raise(type, vector));
        } finally {
            quiesced = deviceQuiesced;
        }
    }

    /** The client wrote MSI-X Message Control: clearing Function Mask may release pending vectors. */
    public synchronized void msixControlWritten() {
        for (int vector = 0; vector < msix.vectors(); vector++) {
            deliverIfReleased(vector);
        }
    }

    /** The client wrote the Command register: clearing INTx Disable may release a pending INTx. */
    public synchronized void commandWritten() {
        deliverIntxIfReleased();
    }

    /** The MSI-X table as BAR registers; writing a Mask bit to 0 releases a pending vector. */
    public DwordRegisterBlock msixTableRegisters() {
        return new DwordRegisterBlock() {
            @Override
            public int read(int offset) {
                synchronized (InterruptController.this) {
                    return msix.readTable(offset);
                }
            }

            @Override
            public void write(int offset, int value) {
                synchronized (InterruptController.this) {
                    msix.writeTable(offset, value);
                    int vector = offset / MsixTable.ENTRY_SIZE;
                    if (vector < msix.vectors()) {
                        deliverIfReleased(vector);
                    }
                }
            }
        };
    }

    /** The PBA as BAR registers: read-only to the client, writes are ignored. */
    public DwordRegisterBlock pbaRegisters() {
        return new DwordRegisterBlock() {
            @Override
            public int read(int offset) {
                synchronized (InterruptController.this) {
                    return msix.readPba(offset);
                }
            }

            @Override
            public void write(int offset, int value) {
            }
        };
    }

    /** Forgets interrupts of the function's previous life: PBA bits and the INTx level (reset). */
    public synchronized void clearPending() {
        msix.clearPending();
        lowerIntx();
    }

    public synchronized IrqCounts counts(IrqType type) {
        long[] c = counts.get(type);
        return new IrqCounts(c[DELIVERED], c[PENDED], c[LOST]);
    }

    public synchronized boolean msixPending(int vector) {
        checkRange(IrqType.MSIX, vector, 1, "read pending bit of");
        return msix.pending(vector);
    }

    public synchronized MsixEntry msixEntry(int vector) {
        checkRange(IrqType.MSIX, vector, 1, "read table entry of");
        return msix.entry(vector);
    }

    public synchronized boolean intxAsserted() {
        return intxAsserted;
    }

    public synchronized boolean intxPending() {
        return intxPending;
    }

    public synchronized boolean triggerAssigned(IrqType type, int vector) {
        checkRange(type, vector, 1, "query trigger of");
        return assigned.get(type)[vector];
    }

    private void setMasked(IrqType type, int vector, boolean mask) {
        if (type == IrqType.MSIX) {
            msix.maskEntry(vector, mask);
            deliverIfReleased(vector);
        } else {
            intxMasked = mask;
            deliverIntxIfReleased();
        }
    }

    private boolean msixMasked(int vector) {
        return quiesced || (config.read(msixMessageControl, 2) & MsixCapability.FUNCTION_MASK) != 0
                || msix.entryMasked(vector);
    }

    private boolean intxBlocked() {
        return quiesced || intxMasked || (config.read(PciHeader.COMMAND, 2) & PciHeader.COMMAND_INTX_DISABLE) != 0;
    }

    /**
     * A stopped device generates no interrupts (STOP, STOP_COPY, RESUMING): while quiesced, whatever
     * the device raises is held pending exactly as if masked, and delivered once it runs again. A
     * VMM's own SET_IRQS trigger is not the device's and still goes through.
     */
    public synchronized void quiesce(boolean on) {
        quiesced = on;
        if (!on) {
            msixControlWritten();
            deliverIntxIfReleased();
        }
    }

    private void deliverIfReleased(int vector) {
        if (msix.pending(vector) && !msixMasked(vector)) {
            msix.setPending(vector, false);
            signal(IrqType.MSIX, vector);
        }
    }

    private void deliverIntxIfReleased() {
        if (intxPending && !intxBlocked()) {
            intxPending = false;
            signal(IrqType.INTX, 0);
        }
    }

    private void signal(IrqType type, int vector) {
        count(type, sink.signal(type, vector) ? DELIVERED : LOST);
    }

    private void count(IrqType type, int outcome) {
        counts.get(type)[outcome]++;
    }

    private void checkRange(IrqType type, int start, int count, String operation) {
        int vectors = infos.get(type).count();
        if (vectors == 0) {
            throw new DeviceException(Errno.EINVAL, "cannot " + operation + " " + type + ": the device has no "
                    + type + " vectors");
        }
        boolean empty = count == 0 && start == 0;
        if (!empty && (start < 0 || count <= 0 || (long) start + count > vectors)) {
            throw new DeviceException(Errno.EINVAL, "cannot " + operation + " " + type + " vectors [" + start + ", "
                    + ((long) start + count) + "): the device has " + type + " vectors [0, " + vectors + ")");
        }
    }

    private static void forSelected(int start, boolean[] selected, IntConsumer action) {
        for (int i = 0; i < selected.length; i++) {
            if (selected[i]) {
                action.accept(start + i);
            }
        }
    }
}
