package dev.vfiosim.simulator.device.engine;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.BitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firmware side of mlx5e, for a function with the Ethernet capabilities: the Ethernet offload and
 * NIC flow table capability pages, the NIC vport context (permanent MAC, MTU), the port access
 * registers mlx5e reads, and the objects it creates (CQ/SQ/RQ in mlx5's own contexts, TIS, TIR, RQT,
 * flow tables, groups and entries, flow counters). Simplified: the objects are bookkeeping (ids that
 * must exist to be modified or destroyed), not a datapath — a queue created with mlx5's contexts is
 * not backed by the loopback engine (docs/device.md, "Ethernet"). Engine thread only.
 */
final class EthernetFirmware {
    private static final Logger LOG = LoggerFactory.getLogger(EthernetFirmware.class);
    /** QUERY_HCA_CAP capability types (op_mod bits 15:1). */
    static final int TYPE_ETHERNET_OFFLOADS = 1;
    static final int TYPE_FLOW_TABLE = 7;
    static final int OBJECT_LIMIT = 1 << 16;

    // offsets (bytes from the start of the command input/output)
    static final int REGISTER_ID = 0x0a;
    static final int REGISTER_DATA = 0x10;
    static final int FIELD_SELECT = 0x0c;
    /** The nic_vport_context: at 0x10 of QUERY's output, at 0x100 of MODIFY's input. */
    static final int QUERY_CONTEXT = 0x10;
    static final int MODIFY_CONTEXT = 0x100;
    static final int CONTEXT_MTU = 0x26;
    static final int CONTEXT_MAC_HIGH = 0xf6;
    static final int CONTEXT_MAC_LOW = 0xf8;
    static final int CONTEXT_END = 0xfc;
    static final int FIELD_SELECT_MTU = 1 << 6;
    static final int TABLE_ID = 0x14;
    static final int GROUP_ID = 0x18;
    static final int FLOW_INDEX = 0x20;
    static final int ACCESS_REG_WRITE = 0;
    static final int ACCESS_REG_READ = 1;

    /** Port access registers (register_id) this function answers. */
    static final int PMLP = 0x5002;
    static final int PMTU = 0x5003;
    static final int PTYS = 0x5004;
    static final int PAOS = 0x5006;
    static final int PFCC = 0x5007;
    static final int PPCNT = 0x5008;
    static final int PMAOS = 0x5012;
    static final int PCAM = 0x507f;
    static final int MCAM = 0x907f;
    static final int QCAM = 0x4001;
    private static final Set<Integer> REGISTERS = Set.of(PMLP, PMTU, PTYS, PAOS, PFCC, PPCNT, PMAOS, PCAM, MCAM, QCAM);
    /** The port's MTU limit in mlx5's terms (L2 frame without FCS, like HcaCapabilities.LIMIT_PACKET). */
    static final int DEFAULT_MTU = 1500 + 14 + 4 + 4;
    private static final int PORT_UP = 1;

    enum Kind {
        CQ, SQ, RQ, TIS, TIR, RQT, FLOW_TABLE, FLOW_GROUP, FLOW_COUNTER
    }

    private final long macAddress;
    private final byte[] offloads;
    private final byte[] flowTable;
    private final Map<Kind, BitSet> objects = new EnumMap<>(Kind.class);
    private final Set<Long> entries = new HashSet<>();
    private final Map<Integer, Integer> groupTable = new HashMap<>();
    private int vportMtu = DEFAULT_MTU;
    private int portAdminMtu = DEFAULT_MTU;

    EthernetFirmware(HcaCapabilities limits) {
        this.macAddress = limits.macAddress();
        this.offloads = EthernetCapabilities.offloads();
        this.flowTable = EthernetCapabilities.flowTable();
        for (Kind k : Kind.values()) {
            objects.put(k, new BitSet());
        }
    }

    /** The capability page of a type this function has besides the general one, or null. */
    byte[] capability(int type) {
        return switch (type) {
            case TYPE_ETHERNET_OFFLOADS -> offloads;
            case TYPE_FLOW_TABLE -> flowTable;
            default -> null;
        };
    }

    void run(CommandOpcode op, int opMod, ByteBuffer in, ByteBuffer out) {
        switch (op) {
            case CREATE_CQ -> create(Kind.CQ, out);
            case DESTROY_CQ -> destroy(Kind.CQ, in);
            case MODIFY_CQ -> require(Kind.CQ, objectNumber(in), CommandOpcode.OBJECT_NUMBER);
            case CREATE_SQ -> create(Kind.SQ, out);
            case MODIFY_SQ -> require(Kind.SQ, objectNumber(in), CommandOpcode.OBJECT_NUMBER);
            case DESTROY_SQ -> destroy(Kind.SQ, in);
            case CREATE_RQ -> create(Kind.RQ, out);
            case MODIFY_RQ -> require(Kind.RQ, objectNumber(in), CommandOpcode.OBJECT_NUMBER);
            case DESTROY_RQ -> destroy(Kind.RQ, in);
            case CREATE_TIS -> create(Kind.TIS, out);
            case MODIFY_TIS -> require(Kind.TIS, objectNumber(in), CommandOpcode.OBJECT_NUMBER);
            case DESTROY_TIS -> destroy(Kind.TIS, in);
            case CREATE_TIR -> create(Kind.TIR, out);
            case MODIFY_TIR -> require(Kind.TIR, objectNumber(in), CommandOpcode.OBJECT_NUMBER);
            case DESTROY_TIR -> destroy(Kind.TIR, in);
            case CREATE_RQT -> create(Kind.RQT, out);
            case MODIFY_RQT -> require(Kind.RQT, objectNumber(in), CommandOpcode.OBJECT_NUMBER);
            case DESTROY_RQT -> destroy(Kind.RQT, in);
            case CREATE_FLOW_TABLE -> create(Kind.FLOW_TABLE, out);
            case MODIFY_FLOW_TABLE, SET_FLOW_TABLE_ROOT -> require(Kind.FLOW_TABLE, tableId(in), TABLE_ID);
            case DESTROY_FLOW_TABLE -> destroyTable(tableId(in));
            case CREATE_FLOW_GROUP -> createGroup(tableId(in), out);
            case DESTROY_FLOW_GROUP -> destroyGroup(in.getInt(GROUP_ID));
            case SET_FLOW_TABLE_ENTRY -> setEntry(tableId(in), in.getInt(FLOW_INDEX));
            case DELETE_FLOW_TABLE_ENTRY -> deleteEntry(tableId(in), in.getInt(FLOW_INDEX));
            case ALLOC_FLOW_COUNTER -> create(Kind.FLOW_COUNTER, out);
            case DEALLOC_FLOW_COUNTER -> destroy(Kind.FLOW_COUNTER, in);
            case QUERY_FLOW_COUNTER, QUERY_Q_COUNTER, QUERY_VPORT_COUNTER -> {
                // mlx5's counter layouts: this function has no datapath for mlx5e's queues, so every count is 0
            }
            case QUERY_NIC_VPORT_CONTEXT -> queryVportContext(out);
            case MODIFY_NIC_VPORT_CONTEXT -> modifyVportContext(in);
            case ACCESS_REG -> accessRegister(opMod, in, out);
            default -> throw CommandFailure.of(CommandStatus.BAD_OP, op + " is not an Ethernet command");
        }
    }

    /** Whether this handler, rather than the loopback model, executes {@code op}. */
    static boolean handles(CommandOpcode op) {
        return op.ethernet() || switch (op) {
            case CREATE_CQ, DESTROY_CQ, CREATE_SQ, DESTROY_SQ, CREATE_RQ, DESTROY_RQ, QUERY_VPORT_COUNTER,
                    QUERY_NIC_VPORT_CONTEXT, MODIFY_NIC_VPORT_CONTEXT -> true;
            default -> false;
        };
    }

    void clear() {
        objects.values().forEach(BitSet::clear);
        entries.clear();
        groupTable.clear();
        vportMtu = DEFAULT_MTU;
        portAdminMtu = DEFAULT_MTU;
    }

    /** How many objects of a kind exist (tests, logs). */
    int count(Kind kind) {
        return objects.get(kind).cardinality();
    }

    int entryCount() {
        return entries.size();
    }

    private void create(Kind kind, ByteBuffer out) {
        BitSet used = objects.get(kind);
        int id = used.nextClearBit(1);
        if (id >= OBJECT_LIMIT) {
            throw CommandFailure.of(CommandStatus.EXCEED_LIM, "all " + (OBJECT_LIMIT - 1) + " " + kind + " objects exist");
        }
        used.set(id);
        out.putInt(CommandOpcode.OBJECT_NUMBER, id);
    }

    private void require(Kind kind, int id, int field) {
        if (id <= 0 || id >= OBJECT_LIMIT || !objects.get(kind).get(id)) {
            throw new CommandFailure(CommandStatus.BAD_RESOURCE, field, kind + " " + id + " does not exist");
        }
    }

    private void destroy(Kind kind, ByteBuffer in) {
        int id = objectNumber(in);
        require(kind, id, CommandOpcode.OBJECT_NUMBER);
        objects.get(kind).clear(id);
    }

    private void destroyTable(int table) {
        require(Kind.FLOW_TABLE, table, TABLE_ID);
        if (groupTable.containsValue(table)) {
            throw new CommandFailure(CommandStatus.RESOURCE_BUSY, TABLE_ID, "flow table " + table + " still has groups");
        }
        objects.get(Kind.FLOW_TABLE).clear(table);
    }

    private void createGroup(int table, ByteBuffer out) {
        require(Kind.FLOW_TABLE, table, TABLE_ID);
        create(Kind.FLOW_GROUP, out);
        groupTable.put(out.getInt(CommandOpcode.OBJECT_NUMBER), table);
    }

    private void destroyGroup(int group) {
        require(Kind.FLOW_GROUP, group, GROUP_ID);
        int table = groupTable.get(group);
        if (entries.stream().anyMatch(e -> (int) (e >>> Integer.SIZE) == table)) {
            LOG.debug("flow group {} destroyed while table {} has entries", group, table);
        }
        objects.get(Kind.FLOW_GROUP).clear(group);
        groupTable.remove(group);
    }

    private void setEntry(int table, int index) {
        require(Kind.FLOW_TABLE, table, TABLE_ID);
        entries.add((long) table << Integer.SIZE | Integer.toUnsignedLong(index));
    }

    private void deleteEntry(int table, int index) {
        if (!entries.remove((long) table << Integer.SIZE | Integer.toUnsignedLong(index))) {
            throw new CommandFailure(CommandStatus.BAD_RESOURCE, FLOW_INDEX, "flow table " + table + " has no entry "
                    + Integer.toUnsignedString(index));
        }
    }

    private void queryVportContext(ByteBuffer out) {
        if (out.limit() < QUERY_CONTEXT + CONTEXT_END) {
            throw CommandFailure.of(CommandStatus.BAD_OUTPUT_LEN, "QUERY_NIC_VPORT_CONTEXT needs " + (QUERY_CONTEXT + CONTEXT_END)
                    + " output bytes, got " + out.limit());
        }
        out.putShort(QUERY_CONTEXT + CONTEXT_MTU, (short) vportMtu);
        out.putShort(QUERY_CONTEXT + CONTEXT_MAC_HIGH, (short) (macAddress >>> Integer.SIZE));
        out.putInt(QUERY_CONTEXT + CONTEXT_MAC_LOW, (int) macAddress);
    }

    private void modifyVportContext(ByteBuffer in) {
        if ((in.getInt(FIELD_SELECT) & FIELD_SELECT_MTU) == 0) {
            return; // addresses, promiscuity, inline mode: accepted, the model filters nothing
        }
        if (in.limit() < MODIFY_CONTEXT + CONTEXT_END) {
            throw CommandFailure.of(CommandStatus.BAD_INPUT_LEN, "MODIFY_NIC_VPORT_CONTEXT with an MTU needs "
                    + (MODIFY_CONTEXT + CONTEXT_END) + " input bytes, got " + in.limit());
        }
        int mtu = Short.toUnsignedInt(in.getShort(MODIFY_CONTEXT + CONTEXT_MTU));
        if (mtu == 0 || mtu > HcaCapabilities.LIMIT_PACKET) {
            throw new CommandFailure(CommandStatus.BAD_PARAM, MODIFY_CONTEXT + CONTEXT_MTU, "vport MTU " + mtu
                    + " is not within 1.." + HcaCapabilities.LIMIT_PACKET);
        }
        vportMtu = mtu;
    }

    private void accessRegister(int opMod, ByteBuffer in, ByteBuffer out) {
        int register = Short.toUnsignedInt(in.getShort(REGISTER_ID));
        if (!REGISTERS.contains(register)) {
            throw new CommandFailure(CommandStatus.BAD_PARAM, REGISTER_ID, "register 0x" + Integer.toHexString(register)
                    + " is not one this function has");
        }
        if (opMod != ACCESS_REG_READ && opMod != ACCESS_REG_WRITE) {
            throw new CommandFailure(CommandStatus.BAD_PARAM, CommandEntry.OP_MOD, "ACCESS_REG op_mod " + opMod
                    + " is not write (0) or read (1)");
        }
        int length = Math.min(in.limit(), out.limit()) - REGISTER_DATA;
        if (length <= 0) {
            throw CommandFailure.of(CommandStatus.BAD_INPUT_LEN, "ACCESS_REG carries no register data");
        }
        // the register's index fields (local port, group, ...) are echoed back as mlx5 firmware does
        out.put(REGISTER_DATA, in, REGISTER_DATA, length);
        ByteBuffer reg = out.slice(REGISTER_DATA, length);
        switch (register) {
            case PMTU -> pmtu(opMod, in.slice(REGISTER_DATA, length), reg);
            case PAOS -> {
                if (length >= Integer.BYTES) {
                    reg.put(1, (byte) (reg.get(1) & 0xF0 | PORT_UP)).put(3, (byte) (reg.get(3) & 0xF0 | PORT_UP));
                }
            }
            default -> {
                if (opMod == ACCESS_REG_READ) {
                    // counters, capability masks and link modes all read 0 beyond the index fields
                    for (int i = Integer.BYTES; i < length; i++) {
                        reg.put(i, (byte) 0);
                    }
                }
            }
        }
    }

    /** PMTU: max_mtu at +4, admin_mtu at +8, oper_mtu at +0xc (16-bit, big-endian). */
    private void pmtu(int opMod, ByteBuffer request, ByteBuffer reg) {
        final int max = 4;
        final int admin = 8;
        final int oper = 0xc;
        if (reg.limit() < oper + Short.BYTES) {
            throw CommandFailure.of(CommandStatus.BAD_INPUT_LEN, "PMTU needs 16 register bytes, got " + reg.limit());
        }
        if (opMod == ACCESS_REG_WRITE) {
            int mtu = Short.toUnsignedInt(request.getShort(admin));
            if (mtu == 0 || mtu > HcaCapabilities.LIMIT_PACKET) {
                throw new CommandFailure(CommandStatus.BAD_PARAM, REGISTER_DATA + admin, "port MTU " + mtu + " is not within 1.."
                        + HcaCapabilities.LIMIT_PACKET);
            }
            portAdminMtu = mtu;
        }
        reg.putShort(max, (short) HcaCapabilities.LIMIT_PACKET).putShort(admin, (short) portAdminMtu)
                .putShort(oper, (short) portAdminMtu);
    }

    private static int objectNumber(ByteBuffer in) {
        return in.getInt(CommandOpcode.OBJECT_NUMBER) & CommandOpcode.OBJECT_MASK;
    }

    private static int tableId(ByteBuffer in) {
        return in.getInt(TABLE_ID) & CommandOpcode.OBJECT_MASK;
    }
}
