package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.api.ContractFacts;
import dev.vfiosim.simulator.device.bulk.BulkState;
import dev.vfiosim.simulator.device.engine.DeviceEngine;
import dev.vfiosim.simulator.device.engine.EngineState;
import dev.vfiosim.simulator.host.HostedDevice;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.pci.PciIdentity;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import dev.vfiosim.simulator.pci.VfioRegion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An mlx5-style Ethernet virtual function as served: the {@link Mlx5Function} model in a
 * {@link HostedDevice}, with typed accessors to the model's parts for tests and tools. Everything
 * the server sees is the host's; everything the function does is the model's (docs/device.md).
 */
public final class Mlx5VirtualFunction extends HostedDevice implements ContractFacts {
    public static final int MELLANOX = 0x15b3;
    public static final int CONNECTX_VIRTUAL_FUNCTION = 0x101e;
    public static final int ETHERNET_CONTROLLER = 0x020000;
    public static final int SUBSYSTEM_ID = 0x0001;
    public static final PciIdentity IDENTITY = new PciIdentity(
            MELLANOX, CONNECTX_VIRTUAL_FUNCTION, 0, ETHERNET_CONTROLLER, MELLANOX, SUBSYSTEM_ID);
    /** VSEC ID of the vendor-specific extended capability that names this model's revision. */
    public static final int MODEL_VSEC_ID = 0x0001;
    public static final int MODEL_REVISION = 1;
    public static final int IRQ_TYPES = IrqType.values().length;

    private final Mlx5Function function;
    private final DeviceMigration migration;

    public Mlx5VirtualFunction(SharedMemoryAllocator allocator) {
        this(allocator, VirtualFunctionConfig.defaults());
    }

    public Mlx5VirtualFunction(SharedMemoryAllocator allocator, VirtualFunctionConfig settings) {
        this(new Mlx5Function(settings), allocator);
    }

    private Mlx5VirtualFunction(Mlx5Function function, SharedMemoryAllocator allocator) {
        super(function, allocator);
        this.function = function;
        this.migration = new DeviceMigration(hostedMigration(), function.migrationRecords());
    }

    @Override
    public DeviceMigration migration() {
        return migration;
    }

    /** The interrupt controller: {@code fire}/{@code raise} interrupts, counters, pending state. */
    @Override
    public InterruptController interrupts() {
        return function.interrupts();
    }

    public VmmOwnedState vmmOwnedState() {
        return function.vmmOwnedState();
    }

    public DeviceOwnedState deviceOwnedState() {
        return function.deviceOwnedState();
    }

    /** Stops the function as a stopped migration state does (see {@link Mlx5Function#pause()}). */
    public void pause() {
        function.pause();
    }

    public void resume() {
        function.resume();
    }

    /** The command queue, queue rings, doorbell records, EQ pages and firmware pages the state refers to. */
    @Override
    public List<GuestReference> guestMemoryReferences() {
        InitializationSegment init = function.deviceOwnedState().initSegment();
        return StateGuestReferences.of(init.commandQueueSet() ? init.commandQueueAddress() : 0, function.engine().state());
    }

    /** The command doorbell, the queue doorbell page and the UAR pages' EQ doorbells, all in BAR0. */
    @Override
    public boolean isDoorbell(int region, long offset) {
        return region == VfioRegion.BAR0 && (offset == Bar0.INIT_SEGMENT + InitializationSegment.CMD_DOORBELL
                || (offset >= Bar0.DOORBELLS && offset < Bar0.DEVICE_MEMORY) || (offset >= Bar0.UAR_PAGES && offset < Bar0.SIZE));
    }

    /** The device's own thread: pause state, idle/drained, state records (see {@link DeviceEngine}). */
    public DeviceEngine engine() {
        return function.engine();
    }

    /** The device-owned internal memory and its dirty pages. */
    public BulkState bulkState() {
        return function.bulkState();
    }

    /** The memory behind BAR0's device memory window (the same one the client may mmap). */
    public SharedMemory deviceMemory() {
        return function.deviceMemory();
    }

    public int msixCapabilityOffset() {
        return function.msixCapabilityOffset();
    }

    public int pciExpressCapabilityOffset() {
        return function.pciExpressCapabilityOffset();
    }

    /**
     * Resets, HCA state, interrupts per type, and each queue's counters: what a VMM engineer asks
     * first when traffic stops. The engine is held between two units of work for the copy.
     */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>(super.status());
        DeviceEngine engine = function.engine();
        s.put("engineIdle", engine.idle());
        s.put("enginePaused", engine.paused());
        EngineState state = engine.state();
        s.put("hca", state.commands().hca().name());
        s.put("interrupts", interruptCounts());
        s.put("eventQueues", state.eventQueues().stream().map(q -> queue(q.number(), "events", q.events(),
                "overruns", q.overruns(), "dmaFaults", q.dmaFaults(), "msixVector", q.msixVector())).toList());
        s.put("completionQueues", state.completionQueues().stream().map(q -> queue(q.number(), "completions",
                q.completions(), "dmaFaults", q.dmaFaults(), "eventQueue", q.eventQueue())).toList());
        s.put("sendQueues", state.sendQueues().stream().map(q -> queue(q.number(), "packets", q.counters().packets(),
                "bytes", q.counters().bytes(), "drops", q.counters().drops(), "dmaFaults", q.counters().dmaFaults())).toList());
        s.put("receiveQueues", state.receiveQueues().stream().map(q -> queue(q.number(), "packets",
                q.counters().packets(), "bytes", q.counters().bytes(), "drops", q.counters().drops(), "dmaFaults",
                q.counters().dmaFaults())).toList());
        return s;
    }

    private static Map<String, Object> queue(int number, Object... namesAndValues) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("number", number);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            q.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return q;
    }

    @Override
    public String toString() {
        return String.format("mlx5 VF %04x:%04x (%d MSI-X vectors)", IDENTITY.vendorId(), IDENTITY.deviceId(),
                function.msixVectors());
    }
}
