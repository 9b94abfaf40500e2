package dev.vfiosim.simulator.device.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The firmware's Ethernet side: capability pages, gating, object bookkeeping, vport context, registers. */
class EthernetFirmwareTest {
    static final long SERIAL = 0x0002_c9ff_fe12_3456L;

    static Firmware initialised(boolean ethernet) {
        HcaCapabilities caps = HcaCapabilities.of(4, 0, ethernet, SERIAL);
        Firmware fw = new Firmware(new QueueContexts(caps), caps);
        run(fw, CommandOpcode.ENABLE_HCA, 0, in(0x10), 0x10);
        ByteBuffer give = in(0x10 + 32 * 8).putInt(Firmware.INPUT_NUM_ENTRIES, 32);
        for (int i = 0; i < 32; i++) {
            give.putLong(Firmware.PAS + i * 8, 0x10_0000L + i * 0x1000L);
        }
        run(fw, CommandOpcode.MANAGE_PAGES, Firmware.PAGES_GIVE, give, 0x10);
        run(fw, CommandOpcode.INIT_HCA, 0, in(0x20), 0x10);
        return fw;
    }

    static ByteBuffer in(int length) {
        return ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
    }

    static ByteBuffer run(Firmware fw, CommandOpcode op, int opMod, ByteBuffer input, int outlen) {
        ByteBuffer out = in(outlen);
        fw.run(op, opMod, input, out);
        return out;
    }

    static CommandStatus refusal(Firmware fw, CommandOpcode op, int opMod, ByteBuffer input, int outlen) {
        return assertThrows(CommandFailure.class, () -> run(fw, op, opMod, input, outlen)).status();
    }

    static int create(Firmware fw, CommandOpcode op, ByteBuffer input) {
        return run(fw, op, 0, input, 0x10).getInt(CommandOpcode.OBJECT_NUMBER);
    }

    static ByteBuffer numbered(int at, int id) {
        return in(0x40).putInt(at, id);
    }

    @Test
    void withoutEthernetTheGeneralCapsSayNoAndMlx5eCommandsAreUnknown() {
        Firmware fw = initialised(false);
        ByteBuffer cap = run(fw, CommandOpcode.QUERY_HCA_CAP, GeneralCapabilities.CURRENT, in(0x10), 0x1010);
        assertEquals(0, GeneralCapabilities.get(cap, 0x10, GeneralCapabilities.Field.ETH_NET_OFFLOADS));
        assertEquals(0, GeneralCapabilities.get(cap, 0x10, GeneralCapabilities.Field.NIC_FLOW_TABLE));
        for (CommandOpcode op : CommandOpcode.values()) {
            assertEquals(!op.ethernet(), fw.supports(op), op.toString());
        }
        ByteBuffer offloads = run(fw, CommandOpcode.QUERY_HCA_CAP, EthernetFirmware.TYPE_ETHERNET_OFFLOADS << 1, in(0x10), 0x1010);
        assertEquals(0, offloads.getInt(0x10), "no Ethernet offload page");
    }

    @Test
    void withEthernetTheCapsCarryWhatMlx5CoreChecksBeforeStartingMlx5e() {
        Firmware fw = initialised(true);
        ByteBuffer cap = run(fw, CommandOpcode.QUERY_HCA_CAP, GeneralCapabilities.CURRENT, in(0x10), 0x1010);
        assertEquals(1, GeneralCapabilities.get(cap, 0x10, GeneralCapabilities.Field.ETH_NET_OFFLOADS));
        assertEquals(1, GeneralCapabilities.get(cap, 0x10, GeneralCapabilities.Field.NIC_FLOW_TABLE));
        ByteBuffer eth = run(fw, CommandOpcode.QUERY_HCA_CAP, EthernetFirmware.TYPE_ETHERNET_OFFLOADS << 1 | 1, in(0x10), 0x1010);
        assertEquals(1, GeneralCapabilities.getBits(eth, 0x10, EthernetCapabilities.CSUM_CAP, 1));
        assertEquals(1, GeneralCapabilities.getBits(eth, 0x10, EthernetCapabilities.VLAN_CAP, 1));
        assertEquals(EthernetCapabilities.LOG_MAX_LSO, GeneralCapabilities.getBits(eth, 0x10, EthernetCapabilities.MAX_LSO_CAP, 5));
        assertEquals(EthernetCapabilities.LOG_RSS_TABLE,
                GeneralCapabilities.getBits(eth, 0x10, EthernetCapabilities.RSS_IND_TBL_CAP, 4));
        ByteBuffer ft = run(fw, CommandOpcode.QUERY_HCA_CAP, EthernetFirmware.TYPE_FLOW_TABLE << 1 | 1, in(0x10), 0x1010);
        assertEquals(1, GeneralCapabilities.getBits(ft, 0x10, EthernetCapabilities.NIC_RECEIVE + EthernetCapabilities.FT_SUPPORT, 1));
        assertEquals(EthernetCapabilities.TABLE_LEVELS,
                GeneralCapabilities.getBits(ft, 0x10, EthernetCapabilities.NIC_RECEIVE + EthernetCapabilities.MAX_FT_LEVEL, 8));
        assertTrue(CommandOpcode.of(0x930).ethernet());
        assertTrue(fw.supports(CommandOpcode.CREATE_FLOW_TABLE));
    }

    @Test
    void objectsMustExistToBeModifiedOrDestroyedAndTeardownForgetsThem() {
        Firmware fw = initialised(true);
        int cq = create(fw, CommandOpcode.CREATE_CQ, in(0x120));
        int rq = create(fw, CommandOpcode.CREATE_RQ, in(0x120));
        assertEquals(1, cq);
        assertEquals(1, rq);
        run(fw, CommandOpcode.MODIFY_RQ, 0, numbered(0x08, 0x1000_0000 | rq), 0x10); // rq_state in the top bits
        assertEquals(CommandStatus.BAD_RESOURCE, refusal(fw, CommandOpcode.MODIFY_RQ, 0, numbered(0x08, rq + 1), 0x10));
        int tis1 = create(fw, CommandOpcode.CREATE_TIS, in(0xc0));
        int tis2 = create(fw, CommandOpcode.CREATE_TIS, in(0xc0));
        assertEquals(tis1 + 1, tis2);
        run(fw, CommandOpcode.DESTROY_TIS, 0, numbered(0x08, tis1), 0x10);
        assertEquals(CommandStatus.BAD_RESOURCE, refusal(fw, CommandOpcode.DESTROY_TIS, 0, numbered(0x08, tis1), 0x10),
                "destroyed twice");
        assertEquals(tis1, create(fw, CommandOpcode.CREATE_TIS, in(0xc0)), "the lowest free id again");

        int table = create(fw, CommandOpcode.CREATE_FLOW_TABLE, in(0x40));
        run(fw, CommandOpcode.SET_FLOW_TABLE_ROOT, 0, numbered(EthernetFirmware.TABLE_ID, table), 0x10);
        int group = create(fw, CommandOpcode.CREATE_FLOW_GROUP, numbered(EthernetFirmware.TABLE_ID, table));
        assertEquals(CommandStatus.BAD_RESOURCE, refusal(fw, CommandOpcode.CREATE_FLOW_GROUP, 0,
                numbered(EthernetFirmware.TABLE_ID, table + 1), 0x10), "a group in a table that does not exist");
        ByteBuffer entry = numbered(EthernetFirmware.TABLE_ID, table).putInt(EthernetFirmware.FLOW_INDEX, 7);
        run(fw, CommandOpcode.SET_FLOW_TABLE_ENTRY, 0, entry, 0x10);
        assertEquals(CommandStatus.RESOURCE_BUSY, refusal(fw, CommandOpcode.DESTROY_FLOW_TABLE, 0,
                numbered(EthernetFirmware.TABLE_ID, table), 0x10), "the table still has a group");
        run(fw, CommandOpcode.DELETE_FLOW_TABLE_ENTRY, 0, entry, 0x10);
        assertEquals(CommandStatus.BAD_RESOURCE, refusal(fw, CommandOpcode.DELETE_FLOW_TABLE_ENTRY, 0, entry, 0x10));
        run(fw, CommandOpcode.DESTROY_FLOW_GROUP, 0, numbered(EthernetFirmware.TABLE_ID, table).putInt(EthernetFirmware.GROUP_ID,
                group), 0x10);
        run(fw, CommandOpcode.DESTROY_FLOW_TABLE, 0, numbered(EthernetFirmware.TABLE_ID, table), 0x10);

        run(fw, CommandOpcode.TEARDOWN_HCA, 0, in(0x10), 0x10);
        run(fw, CommandOpcode.INIT_HCA, 0, in(0x20), 0x10);
        assertEquals(CommandStatus.BAD_RESOURCE, refusal(fw, CommandOpcode.DESTROY_CQ, 0, numbered(0x08, cq), 0x10),
                "TEARDOWN_HCA forgot the CQ");
    }

    @Test
    void theVportContextHasThePermanentMacAndKeepsTheMtuTheDriverSets() {
        Firmware fw = initialised(true);
        ByteBuffer ctx = run(fw, CommandOpcode.QUERY_NIC_VPORT_CONTEXT, 0, in(0x10), 0x110);
        int c = EthernetFirmware.QUERY_CONTEXT;
        assertEquals(0x0002, ctx.getShort(c + EthernetFirmware.CONTEXT_MAC_HIGH));
        assertEquals(0xc9123456, ctx.getInt(c + EthernetFirmware.CONTEXT_MAC_LOW), "00:02:c9:12:34:56 from the EUI-64");
        ByteBuffer modify = in(0x200).putInt(EthernetFirmware.FIELD_SELECT, EthernetFirmware.FIELD_SELECT_MTU);
        modify.putShort(EthernetFirmware.MODIFY_CONTEXT + EthernetFirmware.CONTEXT_MTU, (short) 9000);
        run(fw, CommandOpcode.MODIFY_NIC_VPORT_CONTEXT, 0, modify, 0x10);
        ctx = run(fw, CommandOpcode.QUERY_NIC_VPORT_CONTEXT, 0, in(0x10), 0x110);
        assertEquals(9000, ctx.getShort(c + EthernetFirmware.CONTEXT_MTU));
        modify.putShort(EthernetFirmware.MODIFY_CONTEXT + EthernetFirmware.CONTEXT_MTU, (short) 0);
        assertEquals(CommandStatus.BAD_PARAM, refusal(fw, CommandOpcode.MODIFY_NIC_VPORT_CONTEXT, 0, modify, 0x10));
        assertEquals(CommandStatus.BAD_OUTPUT_LEN, refusal(fw, CommandOpcode.QUERY_NIC_VPORT_CONTEXT, 0, in(0x10), 0x10));
    }

    @Test
    void accessRegistersAnswerTheKnownOnesAndRefuseTheRest() {
        Firmware fw = initialised(true);
        ByteBuffer read = in(0x20).putShort(EthernetFirmware.REGISTER_ID, (short) EthernetFirmware.PMTU).put(0x11, (byte) 1);
        ByteBuffer pmtu = run(fw, CommandOpcode.ACCESS_REG, EthernetFirmware.ACCESS_REG_READ, read, 0x20);
        assertEquals(1, pmtu.get(0x11), "local port echoed");
        assertEquals(HcaCapabilities.LIMIT_PACKET, pmtu.getShort(0x14), "max_mtu");
        ByteBuffer write = in(0x20).putShort(EthernetFirmware.REGISTER_ID, (short) EthernetFirmware.PMTU).putShort(0x18, (short) 4000);
        run(fw, CommandOpcode.ACCESS_REG, EthernetFirmware.ACCESS_REG_WRITE, write, 0x20);
        assertEquals(4000, run(fw, CommandOpcode.ACCESS_REG, EthernetFirmware.ACCESS_REG_READ, read, 0x20).getShort(0x1c), "oper_mtu");
        ByteBuffer paos = in(0x20).putShort(EthernetFirmware.REGISTER_ID, (short) EthernetFirmware.PAOS);
        assertEquals(1, run(fw, CommandOpcode.ACCESS_REG, EthernetFirmware.ACCESS_REG_READ, paos, 0x20).get(0x13) & 0xF, "oper up");
        ByteBuffer unknown = in(0x20).putShort(EthernetFirmware.REGISTER_ID, (short) 0x1234);
        assertEquals(CommandStatus.BAD_PARAM, refusal(fw, CommandOpcode.ACCESS_REG, 1, unknown, 0x20));
        assertEquals(CommandStatus.BAD_PARAM, refusal(fw, CommandOpcode.ACCESS_REG, 5, read, 0x20));
        assertFalse(EthernetFirmware.handles(CommandOpcode.ALLOC_PD));
    }

    @Test
    void theMacIsTheEui48InsideTheSerialNumber() {
        assertEquals(0x0002_c900_0001L, HcaCapabilities.macFromEui64(0x0002_c9ff_fe00_0001L));
    }
}
