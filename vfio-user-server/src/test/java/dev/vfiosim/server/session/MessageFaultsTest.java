package dev.vfiosim.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.IrqSet;
import dev.vfiosim.simulator.fault.FaultEvent.CommandEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** What a command site sees of each command, read from payloads as they arrive. */
class MessageFaultsTest {
    private static ByteBuffer payload(int... ints) {
        ByteBuffer b = ByteBuffer.allocate(4 * ints.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : ints) {
            b.putInt(i);
        }
        return b.flip();
    }

    @Test
    void regionAccessesCarryRegionOffsetAndCount() {
        ByteBuffer read = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0x10).putInt(0).putInt(4).flip();
        assertEquals(CommandEvent.regionAccess("REGION_READ", 0, 0x10, 4), MessageFaults.event(Command.REGION_READ, read));
    }

    @Test
    void deviceFeatureCarriesTheFeatureIndexWithoutItsOperationBits() {
        ByteBuffer get = payload(32, DeviceFeature.GET | DeviceFeature.MIG_DATA_SIZE);
        assertEquals(CommandEvent.feature(DeviceFeature.MIG_DATA_SIZE), MessageFaults.event(Command.DEVICE_FEATURE, get));
    }

    @Test
    void irqCommandsCarryTheirIndex() {
        ByteBuffer set = payload(IrqSet.SIZE, IrqSet.DATA_NONE | IrqSet.ACTION_TRIGGER, 2, 0, 1);
        assertEquals(CommandEvent.irqs("DEVICE_SET_IRQS", 2), MessageFaults.event(Command.DEVICE_SET_IRQS, set));
        ByteBuffer info = payload(16, 0, 4, 0);
        assertEquals(CommandEvent.irqs("DEVICE_GET_IRQ_INFO", 4), MessageFaults.event(Command.DEVICE_GET_IRQ_INFO, info));
    }

    @Test
    void aPayloadTooShortForItsFieldsGivesThePlainCommand() {
        assertEquals(CommandEvent.of("REGION_WRITE"), MessageFaults.event(Command.REGION_WRITE, payload(1, 2)));
        assertEquals(CommandEvent.of("DEVICE_FEATURE"), MessageFaults.event(Command.DEVICE_FEATURE, payload(8)));
    }
}
