package dev.vfiosim.server.control;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.server.protocol.DeviceFeature;
import dev.vfiosim.server.protocol.MessageHeader;
import dev.vfiosim.server.session.MessageObserver;
import dev.vfiosim.simulator.fault.FiredFault;
import dev.vfiosim.simulator.migration.MigrationState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;

/**
 * The device's metrics (Micrometer): per-command counts, errors and latency histograms; migration
 * bytes, arcs and downtime; message-DMA bytes and faults; interrupts raised and dropped; faults
 * fired. Published as Prometheus text ({@link #scrape()}, the control socket's {@code metrics}) and
 * over JMX (domain {@code vfio-sim}) when asked.
 *
 * <p>Every meter is resolved when this is built, one per command: recording a register read is an
 * array index and a timer update, no lookup by name or tags, no allocation.
 */
public final class DeviceMetrics implements MessageObserver, AutoCloseable {
    private static final int COMMANDS = Command.values().length + 1;

    private final ProcessMetrics process;
    /** Whether {@link #close()} closes {@link #process} (it made it) or only removes this device's meters. */
    private final boolean ownsProcess;
    private final MeterRegistry registry;
    /** {@code device="NAME"} on every meter when the process serves several devices; empty otherwise. */
    private final Tags deviceTags;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final AtomicReferenceArray<CommandMeters> commands = new AtomicReferenceArray<>(COMMANDS + 1);
    private final Counter migrationSaved;
    private final Counter migrationLoaded;
    private final Counter arcsDone;
    private final Counter arcsRefused;
    private final Timer downtime;
    private final Counter dmaBytes;
    private final Counter dmaFaults;
    private final Counter irqRaised;
    private final Counter irqDropped;
    private final Counter irqHeld;
    private final Counter deviceDmaFaults;
    private final Counter faultsFired;
    private final IntSupplier migrationState;
    // a MIG_DEVICE_STATE SET in flight (one command at a time per session) and when the device stopped
    private volatile int arcTarget = -1;
    private volatile long stoppedAt;

    /**
     * @param withJmx also register every meter as an MBean (jconsole, VisualVM)
     * @param migrationState the device's state now, or {@code null} if it cannot migrate
     */
    public DeviceMetrics(boolean withJmx, IntSupplier migrationState) {
        this(new ProcessMetrics(withJmx), true, Tags.empty(), migrationState);
    }

    /**
     * One of the devices of a process: its meters go into {@code process}'s registries tagged
     * {@code device="NAME"}, so that one scrape shows every device and tells them apart
     * ({@code device} null: the process's only device, untagged as before).
     */
    public DeviceMetrics(ProcessMetrics process, String device, IntSupplier migrationState) {
        this(process, false, device == null ? Tags.empty() : Tags.of("device", device), migrationState);
    }

    private DeviceMetrics(ProcessMetrics process, boolean ownsProcess, Tags deviceTags, IntSupplier migrationState) {
        this.migrationState = migrationState;
        this.process = process;
        this.ownsProcess = ownsProcess;
        this.deviceTags = deviceTags;
        this.registry = process.registry();
        migrationSaved = add(Counter.builder("vfio.sim.migration.bytes").tag("direction", "save")
                .description("migration stream bytes read by MIG_DATA_READ").tags(deviceTags).register(registry));
        migrationLoaded = add(Counter.builder("vfio.sim.migration.bytes").tag("direction", "load")
                .description("migration stream bytes written by MIG_DATA_WRITE").tags(deviceTags).register(registry));
        arcsDone = add(Counter.builder("vfio.sim.migration.state.changes").tag("outcome", "done").tags(deviceTags).register(registry));
        arcsRefused = add(Counter.builder("vfio.sim.migration.state.changes").tag("outcome", "refused").tags(deviceTags).register(registry));
        downtime = add(Timer.builder("vfio.sim.migration.downtime")
                .description("time the device spent stopped, from leaving a running state to RUNNING again").tags(deviceTags).register(registry));
        dmaBytes = add(Counter.builder("vfio.sim.dma.message.bytes").description("bytes the client returned for DMA_READ requests")
                .tags(deviceTags).register(registry));
        dmaFaults = add(Counter.builder("vfio.sim.dma.message.faults").description("DMA requests the client answered with an error")
                .tags(deviceTags).register(registry));
        irqRaised = add(Counter.builder("vfio.sim.interrupts").tag("outcome", "raised").tags(deviceTags).register(registry));
        irqDropped = add(Counter.builder("vfio.sim.interrupts").tag("outcome", "dropped").tags(deviceTags).register(registry));
        irqHeld = add(Counter.builder("vfio.sim.interrupts").tag("outcome", "held").tags(deviceTags).register(registry));
        deviceDmaFaults = add(Counter.builder("vfio.sim.dma.faults")
                .description("DMA accesses of the device that faulted (unmapped, no permission, shrunk file, refused)")
                .tags(deviceTags).register(registry));
        faultsFired = add(Counter.builder("vfio.sim.faults.fired").tags(deviceTags).register(registry));
    }

    /** Where to add further meters (the server's own gauges). */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter (of every device sharing the registries). */
    public String scrape() {
        return process.scrape();
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /**
     * A command's meters, registered when it is first seen: a device that never sees a command
     * exposes no series for it, which keeps a scrape a few kilobytes instead of a hundred.
     */
    private CommandMeters meters(int cmd) {
        int slot = cmd >= 0 && cmd < COMMANDS && Command.ofCode(cmd) != null ? cmd : COMMANDS;
        CommandMeters m = commands.get(slot);
        return m != null ? m : register(slot);
    }

    private synchronized CommandMeters register(int slot) {
        CommandMeters m = commands.get(slot);
        if (m == null) {
            Command c = Command.ofCode(slot);
            String name = c == null ? "unknown" : c.name();
            m = new CommandMeters(add(Timer.builder("vfio.sim.command")
                    .description("commands served, by command, with their service time").tag("command", name)
                    // a register read takes microseconds, a stop-copy seconds: 1-3-10 steps over that span
                    .serviceLevelObjectives(LATENCY_BUCKETS).tags(deviceTags).register(registry)),
                    add(Counter.builder("vfio.sim.command.errors").description("commands answered with an error")
                            .tag("command", name).tags(deviceTags).register(registry)));
            commands.set(slot, m);
        }
        return m;
    }

    /**
     * A command's meters, registered when it is first seen: a device that never sees a command
     * exposes no series for it, which keeps a scrape a few kilobytes instead of a hundred.
     */
    private record CommandMeters(Timer latency, Counter errors) {
    }

    private static final Duration[] LATENCY_BUCKETS = latencyBuckets();

    private static Duration[] latencyBuckets() {
        Duration[] buckets = new Duration[16];
        long nanos = 1_000;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofNanos(i % 2 == 0 ? nanos : nanos * 3);
            if (i % 2 == 1) {
                nanos *= 10;
            }
        }
        return buckets;
    }

    @Override
    public void command(ByteBuffer header, ByteBuffer payload, int fdCount) {
        int cmd = MessageHeader.command(header);
        if (cmd == Command.MIG_DATA_WRITE.code() && payload.remaining() >= 8) {
            migrationLoaded.increment(Integer.toUnsignedLong(payload.order(ByteOrder.LITTLE_ENDIAN).getInt(payload.position() + 4)));
        } else if (cmd == Command.DEVICE_FEATURE.code() && migrationState != null
                && payload.remaining() >= DeviceFeature.SIZE + 4) {
            int flags = payload.getInt(payload.position() + 4);
            if ((flags & DeviceFeature.INDEX_MASK) == DeviceFeature.MIG_DEVICE_STATE
                    && (flags & (DeviceFeature.SET | DeviceFeature.PROBE)) == DeviceFeature.SET) {
                arcTarget = payload.getInt(payload.position() + DeviceFeature.SIZE);
            }
        }
    }

    @Override
    public void reply(ByteBuffer header, ByteBuffer body, int fdCount, long serviceNanos) {
        int cmd = MessageHeader.command(header);
        boolean error = MessageHeader.isError(header);
        done(cmd, error, serviceNanos);
        if (!error && cmd == Command.MIG_DATA_READ.code() && body != null && body.remaining() >= 8) {
            migrationSaved.increment(Integer.toUnsignedLong(body.getInt(body.position() + 4)));
        }
    }

    @Override
    public void noReply(ByteBuffer commandHeader, int errno, long serviceNanos) {
        done(MessageHeader.command(commandHeader), errno != 0, serviceNanos);
    }

    private void done(int cmd, boolean error, long serviceNanos) {
        CommandMeters m = meters(cmd);
        m.latency().record(serviceNanos, TimeUnit.NANOSECONDS);
        if (error) {
            m.errors().increment();
        }
        int target = arcTarget;
        if (target >= 0 && cmd == Command.DEVICE_FEATURE.code()) {
            arcTarget = -1;
            (error ? arcsRefused : arcsDone).increment();
            if (!error) {
                stateReached(target);
            }
        }
    }

    private void stateReached(int state) {
        boolean running = state == MigrationState.RUNNING.value() || state == MigrationState.PRE_COPY.value();
        long now = System.nanoTime();
        if (running && stoppedAt != 0) {
            downtime.record(now - stoppedAt, TimeUnit.NANOSECONDS);
            stoppedAt = 0;
        } else if (!running && stoppedAt == 0 && state != MigrationState.RUNNING_P2P.value()
                && state != MigrationState.PRE_COPY_P2P.value()) {
            stoppedAt = now;
        }
    }

    @Override
    public void clientReply(ByteBuffer header, ByteBuffer payload, int fdCount) {
        if (MessageHeader.isError(header)) {
            dmaFaults.increment();
        } else if (MessageHeader.command(header) == Command.DMA_READ.code()) {
            dmaBytes.increment(payload.remaining());
        }
    }

    @Override
    public void interrupt(String type, int vector, boolean delivered) {
        (delivered ? irqRaised : irqDropped).increment();
    }

    @Override
    public void interruptHeld(String type, int vector) {
        irqHeld.increment();
    }

    @Override
    public void dmaFault(long iova, long length, boolean write, String why) {
        deviceDmaFaults.increment();
    }

    public void faultFired(FiredFault fault) {
        faultsFired.increment();
    }

    @Override
    public void close() {
        if (ownsProcess) {
            process.close();
        } else {
            meters.forEach(registry::remove);
        }
    }
}
