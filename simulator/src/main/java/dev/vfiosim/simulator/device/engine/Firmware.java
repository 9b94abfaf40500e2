package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.device.Bar0;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the function's firmware does with each command once the command interface has taken the
 * entry and its mailboxes: the HCA life cycle, ISSI, the pages the driver lends (kept, and given
 * back on MANAGE_PAGES "take"), capabilities, UARs and the other firmware objects, EQs with mlx5's
 * eqc, and the loopback queues. Inputs and outputs are big-endian buffers holding the whole command
 * message (header included); the output arrives zeroed with its limit at the driver's outlen. A
 * refused command throws {@link CommandFailure}. Engine thread only.
 */
final class Firmware {
    private static final Logger LOG = LoggerFactory.getLogger(Firmware.class);
    /** Pages the function asks for at boot (QUERY_PAGES op_mod 1) and for INIT_HCA (op_mod 2, in addition). */
    static final int BOOT_PAGES = 16;
    static final int INIT_PAGES = 16;
    /** Pages the initialised function asks for on its own, with a PAGE_REQUEST EQE (QUERY_PAGES op_mod 3). */
    static final int REGULAR_PAGES = 8;
    /** The most pages the function keeps (MANAGE_PAGES beyond that: NO_RESOURCES). */
    static final int MAX_PAGES = 4096;
    static final int OBJECTS_PER_KIND = 1024;
    static final int SUPPORTED_ISSI = 0b11;

    // field offsets shared by many mlx5 commands (bytes from the start of the input / output)
    static final int FUNCTION_ID = 0x0a;
    static final int CURRENT_ISSI = 0x0a;
    static final int SUPPORTED_ISSI_DW0 = 0x6c;
    static final int NUM_PAGES = 0x0c;
    static final int INPUT_NUM_ENTRIES = 0x0c;
    static final int OUTPUT_NUM_ENTRIES = 0x08;
    static final int PAS = 0x10;
    static final int CAPABILITY = 0x10;
    static final int Q_COUNTER_ID = 0x0b;
    static final int VPORT_STATE = 0x0f;
    static final int RESERVED_LKEY = 0x0c;
    static final int OP_MOD_BOOT_PAGES = 1;
    static final int OP_MOD_INIT_PAGES = 2;
    static final int OP_MOD_REGULAR_PAGES = 3;
    static final int PAGES_ALLOCATION_FAILED = 0;
    static final int PAGES_GIVE = 1;
    static final int PAGES_TAKE = 2;
    static final int VPORT_UP = 0x11;
    static final int RESERVED_LKEY_VALUE = 0x100;
    private static final int PAGE_MASK = (1 << EqContext.PAGE_SHIFT) - 1;
    private static final int BYTE_MASK = 0xFF;

    private final QueueContexts queues;
    /** mlx5e's side of the firmware, or null for a function without the Ethernet capabilities. */
    private final EthernetFirmware ethernet;
    private final byte[] maximum;
    private byte[] current;
    private HcaState hca = HcaState.DISABLED;
    private int issi;
    private boolean pageRequestSent;
    private final LinkedHashSet<Long> pages = new LinkedHashSet<>();
    private final Map<FirmwareObject.Kind, BitSet> objects = new EnumMap<>(FirmwareObject.Kind.class);

    Firmware(QueueContexts queues, HcaCapabilities limits) {
        this.queues = queues;
        this.ethernet = limits.ethernet() ? new EthernetFirmware(limits) : null;
        this.maximum = GeneralCapabilities.maximum(limits);
        this.current = maximum.clone();
        for (FirmwareObject.Kind k : FirmwareObject.Kind.values()) {
            objects.put(k, new BitSet());
        }
    }

    HcaState hca() {
        return hca;
    }

    /** Whether this function executes {@code op} at all (Ethernet commands need the Ethernet capabilities). */
    boolean supports(CommandOpcode op) {
        return ethernet != null || !op.ethernet();
    }

    void run(CommandOpcode op, int opMod, ByteBuffer in, ByteBuffer out) {
        requireState(op);
        if (ethernet != null && EthernetFirmware.handles(op)) {
            ethernet.run(op, opMod, in, out);
            return;
        }
        switch (op) {
            case ENABLE_HCA -> hca = HcaState.ENABLED;
            case DISABLE_HCA -> disable();
            case INIT_HCA -> initHca();
            case TEARDOWN_HCA -> {
                queues.clear();
                clearEthernet();
                clearObjectsBut(FirmwareObject.Kind.UAR);
                hca = HcaState.ENABLED;
                pageRequestSent = false;
            }
            case QUERY_ISSI -> out.putShort(CURRENT_ISSI, (short) issi).putInt(SUPPORTED_ISSI_DW0, SUPPORTED_ISSI);
            case SET_ISSI -> setIssi(Short.toUnsignedInt(in.getShort(CURRENT_ISSI)));
            case QUERY_PAGES -> out.putInt(NUM_PAGES, pagesWanted(opMod));
            case MANAGE_PAGES -> managePages(opMod, in, out);
            case QUERY_HCA_CAP -> queryCapability(opMod, out);
            case SET_HCA_CAP -> {
                if (opMod >>> 1 == GeneralCapabilities.TYPE_GENERAL) {
                    GeneralCapabilities.applySettable(current, in, CAPABILITY);
                }
            }
            case QUERY_ADAPTER, SET_DRIVER_VERSION, MODIFY_VPORT_STATE, QUERY_NIC_VPORT_CONTEXT, MODIFY_NIC_VPORT_CONTEXT -> {
                // nothing to report beyond zeros (no board id, no addresses), nothing to change
            }
            case QUERY_SPECIAL_CONTEXTS -> out.putInt(RESERVED_LKEY, RESERVED_LKEY_VALUE);
            case QUERY_VPORT_STATE -> out.put(VPORT_STATE, (byte) VPORT_UP);
            case ALLOC_UAR -> out.putInt(CommandOpcode.OBJECT_NUMBER, Bar0.FIRST_UAR_INDEX + allocate(FirmwareObject.Kind.UAR,
                    Bar0.UAR_COUNT));
            case DEALLOC_UAR -> deallocateUar(objectNumber(in));
            case ALLOC_PD -> out.putInt(CommandOpcode.OBJECT_NUMBER, allocate(FirmwareObject.Kind.PROTECTION_DOMAIN, OBJECTS_PER_KIND));
            case DEALLOC_PD -> deallocate(FirmwareObject.Kind.PROTECTION_DOMAIN, objectNumber(in));
            case ALLOC_TRANSPORT_DOMAIN -> out.putInt(CommandOpcode.OBJECT_NUMBER,
                    allocate(FirmwareObject.Kind.TRANSPORT_DOMAIN, OBJECTS_PER_KIND));
            case DEALLOC_TRANSPORT_DOMAIN -> deallocate(FirmwareObject.Kind.TRANSPORT_DOMAIN, objectNumber(in));
            case CREATE_MKEY -> out.putInt(CommandOpcode.OBJECT_NUMBER, allocate(FirmwareObject.Kind.MEMORY_KEY, OBJECTS_PER_KIND));
            case DESTROY_MKEY -> deallocate(FirmwareObject.Kind.MEMORY_KEY, objectNumber(in));
            case ALLOC_Q_COUNTER -> out.put(Q_COUNTER_ID, (byte) allocate(FirmwareObject.Kind.QUEUE_COUNTER, BYTE_MASK));
            case DEALLOC_Q_COUNTER -> deallocate(FirmwareObject.Kind.QUEUE_COUNTER, in.get(Q_COUNTER_ID) & BYTE_MASK);
            case CREATE_EQ -> out.putInt(CommandOpcode.OBJECT_NUMBER, queues.createEq(EqContext.decode(in), in.limit(),
                    this::uarAllocated));
            case DESTROY_EQ -> queues.destroyEq(objectNumber(in));
            case CREATE_CQ -> out.putInt(CommandOpcode.OBJECT_NUMBER, queues.createCq(QueueCreateInput.decode(in)));
            case CREATE_SQ -> out.putInt(CommandOpcode.OBJECT_NUMBER, queues.createSq(QueueCreateInput.decode(in)));
            case CREATE_RQ -> out.putInt(CommandOpcode.OBJECT_NUMBER, queues.createRq(QueueCreateInput.decode(in)));
            case DESTROY_CQ -> queues.destroyCq(objectNumber(in));
            case DESTROY_SQ -> queues.destroySq(objectNumber(in));
            case DESTROY_RQ -> queues.destroyRq(objectNumber(in));
            case QUERY_VPORT_COUNTER -> {
                CounterQuery query = CounterQuery.decode(in);
                WorkCounters counters = queues.counters(query);
                counters.snapshot().encode(out.slice(CounterQuery.BODY, QueueCounters.SIZE).order(ByteOrder.BIG_ENDIAN));
                if (query.clear()) {
                    counters.clear();
                }
            }
            default -> throw CommandFailure.of(CommandStatus.BAD_OP, op + " needs the Ethernet capabilities");
        }
    }

    private void requireState(CommandOpcode op) {
        boolean allowed = switch (op) {
            case ENABLE_HCA -> hca == HcaState.DISABLED;
            case INIT_HCA -> hca == HcaState.ENABLED;
            case QUERY_ISSI, SET_ISSI, QUERY_PAGES, MANAGE_PAGES, QUERY_HCA_CAP, SET_HCA_CAP, QUERY_ADAPTER, SET_DRIVER_VERSION,
                    DISABLE_HCA, ALLOC_UAR, DEALLOC_UAR -> hca != HcaState.DISABLED;
            default -> hca == HcaState.INITIALIZED;
        };
        if (!allowed) {
            throw CommandFailure.of(CommandStatus.BAD_SYS_STATE, op + " is not accepted while the function is " + hca);
        }
    }

    private void initHca() {
        if (pages.size() < BOOT_PAGES + INIT_PAGES) {
            throw CommandFailure.of(CommandStatus.NO_RESOURCES, "INIT_HCA needs " + (BOOT_PAGES + INIT_PAGES)
                    + " firmware pages, the driver gave " + pages.size());
        }
        hca = HcaState.INITIALIZED;
    }

    private void clearEthernet() {
        if (ethernet != null) {
            ethernet.clear();
        }
    }

    private void disable() {
        queues.clear();
        clearEthernet();
        clearObjectsBut(null);
        if (!pages.isEmpty()) {
            LOG.info("DISABLE_HCA with {} firmware pages not taken back; the function forgets them", pages.size());
            pages.clear();
        }
        hca = HcaState.DISABLED;
        pageRequestSent = false;
    }

    private void setIssi(int requested) {
        if ((SUPPORTED_ISSI >>> Math.min(requested, Integer.SIZE - 1) & 1) == 0) {
            throw new CommandFailure(CommandStatus.BAD_PARAM, CURRENT_ISSI, "ISSI " + requested + " is not supported (0 or 1)");
        }
        issi = requested;
    }

    private int pagesWanted(int opMod) {
        return switch (opMod) {
            case OP_MOD_BOOT_PAGES -> Math.max(0, BOOT_PAGES - pages.size());
            case OP_MOD_INIT_PAGES -> Math.max(0, BOOT_PAGES + INIT_PAGES - pages.size());
            case OP_MOD_REGULAR_PAGES -> regularPagesWanted();
            default -> throw new CommandFailure(CommandStatus.BAD_PARAM, CommandEntry.OP_MOD, "QUERY_PAGES op_mod " + opMod
                    + " is not boot (1), init (2) or regular (3)");
        };
    }

    private int regularPagesWanted() {
        return hca == HcaState.INITIALIZED ? Math.max(0, BOOT_PAGES + INIT_PAGES + REGULAR_PAGES - pages.size()) : 0;
    }

    /**
     * Pages to ask for with a PAGE_REQUEST EQE now (once per INIT_HCA, as the initialised function
     * grows its ICM), or 0; the caller posts the EQE and then calls {@link #pageRequestPosted}.
     */
    int pageRequestDue() {
        return pageRequestSent ? 0 : regularPagesWanted();
    }

    void pageRequestPosted() {
        pageRequestSent = true;
    }

    boolean pageRequestSent() {
        return pageRequestSent;
    }

    private void managePages(int opMod, ByteBuffer in, ByteBuffer out) {
        int n = in.getInt(INPUT_NUM_ENTRIES);
        switch (opMod) {
            case PAGES_ALLOCATION_FAILED -> LOG.info("the driver could not allocate {} pages the function asked for", n);
            case PAGES_GIVE -> givePages(n, in);
            case PAGES_TAKE -> takePages(n, out);
            default -> throw new CommandFailure(CommandStatus.BAD_PARAM, CommandEntry.OP_MOD, "MANAGE_PAGES op_mod " + opMod
                    + " is not allocation failed (0), give (1) or take (2)");
        }
    }

    private void givePages(int n, ByteBuffer in) {
        if (n < 0 || (long) PAS + (long) n * Long.BYTES > in.limit()) {
            throw new CommandFailure(CommandStatus.BAD_INPUT_LEN, INPUT_NUM_ENTRIES, n + " page addresses do not fit in "
                    + in.limit() + " input bytes");
        }
        if (pages.size() + n > MAX_PAGES) {
            throw new CommandFailure(CommandStatus.NO_RESOURCES, INPUT_NUM_ENTRIES, "the function keeps at most " + MAX_PAGES
                    + " pages; it has " + pages.size() + ", offered " + n);
        }
        long[] given = new long[n];
        for (int i = 0; i < n; i++) {
            given[i] = in.getLong(PAS + i * Long.BYTES);
            if ((given[i] & PAGE_MASK) != 0 || pages.contains(given[i])) {
                throw new CommandFailure(CommandStatus.BAD_PARAM, PAS + i * Long.BYTES, "page 0x" + Long.toHexString(given[i])
                        + " is not 4 KiB aligned or was given already");
            }
        }
        if (Arrays.stream(given).distinct().count() != n) {
            throw new CommandFailure(CommandStatus.BAD_PARAM, PAS, "the same page is given twice");
        }
        for (long p : given) {
            pages.add(p);
        }
    }

    private void takePages(int n, ByteBuffer out) {
        int room = Math.max(0, (out.limit() - PAS) / Long.BYTES);
        int k = Math.max(0, Math.min(Math.min(n, pages.size()), room));
        var it = pages.iterator();
        for (int i = 0; i < k; i++) {
            out.putLong(PAS + i * Long.BYTES, it.next());
            it.remove();
        }
        out.putInt(OUTPUT_NUM_ENTRIES, k);
    }

    private void queryCapability(int opMod, ByteBuffer out) {
        if (opMod >>> 1 != GeneralCapabilities.TYPE_GENERAL) {
            byte[] other = ethernet == null ? null : ethernet.capability(opMod >>> 1);
            if (other != null) {
                out.put(CAPABILITY, other, 0, Math.min(other.length, out.limit() - CAPABILITY));
            }
            return;
        }
        byte[] cap = (opMod & GeneralCapabilities.CURRENT) != 0 ? current : maximum;
        out.put(CAPABILITY, cap, 0, Math.min(cap.length, out.limit() - CAPABILITY));
    }

    private static int objectNumber(ByteBuffer in) {
        return in.getInt(CommandOpcode.OBJECT_NUMBER) & CommandOpcode.OBJECT_MASK;
    }

    /** The lowest free id of a kind, from 1 (UARs from 0, offset by the first UAR page). */
    private int allocate(FirmwareObject.Kind kind, int limit) {
        BitSet used = objects.get(kind);
        int first = kind == FirmwareObject.Kind.UAR ? 0 : 1;
        int id = used.nextClearBit(first);
        if (id >= limit) {
            throw CommandFailure.of(CommandStatus.EXCEED_LIM, "all " + (limit - first) + " " + kind + " objects are allocated");
        }
        used.set(id);
        return id;
    }

    private void deallocate(FirmwareObject.Kind kind, int id) {
        BitSet used = objects.get(kind);
        if (id < 0 || !used.get(id)) {
            throw new CommandFailure(CommandStatus.BAD_RESOURCE, CommandOpcode.OBJECT_NUMBER, kind + " " + id + " is not allocated");
        }
        used.clear(id);
    }

    private boolean uarAllocated(int index) {
        int bit = index - Bar0.FIRST_UAR_INDEX;
        return bit >= 0 && objects.get(FirmwareObject.Kind.UAR).get(bit);
    }

    private void deallocateUar(int index) {
        if (!uarAllocated(index)) {
            throw new CommandFailure(CommandStatus.BAD_RESOURCE, CommandOpcode.OBJECT_NUMBER, "UAR " + index + " is not allocated");
        }
        if (queues.uarInUse(index)) {
            throw CommandFailure.of(CommandStatus.RESOURCE_BUSY, "UAR " + index + " still has EQs");
        }
        objects.get(FirmwareObject.Kind.UAR).clear(index - Bar0.FIRST_UAR_INDEX);
    }

    private void clearObjectsBut(FirmwareObject.Kind keep) {
        objects.forEach((k, used) -> {
            if (k != keep) {
                used.clear();
            }
        });
    }

    // -- state --

    List<GuestPage> pageState() {
        return pages.stream().map(GuestPage::new).toList();
    }

    List<FirmwareObject> objectState() {
        List<FirmwareObject> out = new ArrayList<>();
        objects.forEach((k, used) -> used.stream().forEach(id -> out.add(new FirmwareObject(k, id))));
        return out;
    }

    List<CapabilitySetting> settingState() {
        ByteBuffer cur = ByteBuffer.wrap(current).order(ByteOrder.BIG_ENDIAN);
        ByteBuffer max = ByteBuffer.wrap(maximum).order(ByteOrder.BIG_ENDIAN);
        return Arrays.stream(GeneralCapabilities.Field.values()).filter(f -> f.settable)
                .filter(f -> GeneralCapabilities.get(cur, 0, f) != GeneralCapabilities.get(max, 0, f))
                .map(f -> new CapabilitySetting(f.name(), GeneralCapabilities.get(cur, 0, f))).toList();
    }

    int issi() {
        return issi;
    }

    void restore(CommandInterfaceState s) {
        hca = s.hca();
        issi = s.issi();
        pageRequestSent = s.pageRequestSent();
        pages.clear();
        s.firmwarePages().forEach(p -> pages.add(p.iova()));
        objects.values().forEach(BitSet::clear);
        s.objects().forEach(o -> objects.get(o.kind()).set(o.id()));
        current = maximum.clone();
        ByteBuffer cur = ByteBuffer.wrap(current).order(ByteOrder.BIG_ENDIAN);
        for (CapabilitySetting c : s.settings()) {
            GeneralCapabilities.set(cur, 0, GeneralCapabilities.Field.valueOf(c.field()), c.value());
        }
    }
}
