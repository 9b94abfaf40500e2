package org.example.counter;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.api.DeviceHost;
import dev.vfiosim.simulator.api.DeviceModel;
import dev.vfiosim.simulator.api.IrqLayout;
import dev.vfiosim.simulator.api.OpaqueMigration;
import dev.vfiosim.simulator.api.RegionSpec;
import dev.vfiosim.simulator.api.RunState;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaFaultException;
import dev.vfiosim.simulator.irq.InterruptController;
import dev.vfiosim.simulator.irq.IrqType;
import dev.vfiosim.simulator.migration.MigrationFeatures;
import dev.vfiosim.simulator.migration.MigrationState;
import dev.vfiosim.simulator.pci.BarDescriptor;
import dev.vfiosim.simulator.pci.PciHeader;
import dev.vfiosim.simulator.pci.PciIdentity;
import dev.vfiosim.simulator.pci.SharedMemory;
import dev.vfiosim.simulator.pci.SparseArea;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A device written the way a user of vfio-sim would write one: only against the public device API,
 * from outside the project's packages. Conventional PCI (256-byte config space), INTx only.
 *
 * <pre>
 * BAR0 (4 KiB, trapped, 32-bit dword accesses only)
 *   0x00 COUNTER       RW
 *   0x04 STATUS        RO  bit 0: the last GO's DMA faulted
 *   0x08 DMA_ADDRESS   RW  low dword; 0x0c high dword
 *   0x10 GO            WO  the device's own thread reads the u32 at DMA_ADDRESS, adds COUNTER, writes the
 *                          sum at DMA_ADDRESS + 4, then raises INTx (a BAR write never waits for DMA:
 *                          it runs on the session's reader, which must stay free to route DMA replies)
 * BAR2 (8 KiB, plain memory; its second page is mmappable)
 * </pre>
 *
 * Migration is opaque (libvfio-user style): "CNTR", COUNTER, then BAR2's 8 KiB, all little-endian;
 * a stream that is not exactly that is refused when RESUMING ends.
 */
public final class CounterDevice implements DeviceModel, OpaqueMigration {
    public static final PciIdentity IDENTITY = new PciIdentity(0x1b36, 0x00c0, 1, 0xff0000, 0x1b36, 0x0001);
    public static final int COUNTER = 0x00;
    public static final int STATUS = 0x04;
    public static final int DMA_ADDRESS = 0x08;
    public static final int GO = 0x10;
    public static final int STATUS_DMA_FAULT = 1;
    public static final long BAR0_SIZE = 0x1000;
    public static final int BAR2_SIZE = 0x2000;
    public static final int MAGIC = 0x52544e43; // "CNTR" little-endian
    public static final int STREAM_SIZE = 8 + BAR2_SIZE;

    private final MigrationFeatures features;
    private final List<String> arcsHeard = new ArrayList<>();
    private final ExecutorService work = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "counter-device");
        t.setDaemon(true);
        return t;
    });
    private InterruptController irq;
    private Dma dma;
    private SharedMemory bar2;
    private int counter;
    private int status;
    private long dmaAddress;
    private RunState runState = RunState.RUNNING;
    private ByteBuffer stream;

    CounterDevice(MigrationFeatures features) {
        this.features = features;
    }

    @Override
    public void define(DeviceHost host) {
        PciHeader.define(host.config(), IDENTITY);
        new BarDescriptor(0, BAR0_SIZE, false, false).define(host.config());
        new BarDescriptor(2, BAR2_SIZE, false, false).define(host.config());
        host.configSize(256);
        host.region(0, RegionSpec.trapped(BAR0_SIZE, new RegionSpec.Handler() {
            @Override
            public void read(long offset, ByteBuffer dst) {
                dst.order(ByteOrder.LITTLE_ENDIAN).putInt(readRegister(dword(offset, dst.remaining())));
            }

            @Override
            public void write(long offset, ByteBuffer src) {
                writeRegister(dword(offset, src.remaining()), src.order(ByteOrder.LITTLE_ENDIAN).getInt());
            }
        }));
        bar2 = host.memory().allocate("counter-bar2", BAR2_SIZE);
        host.region(2, RegionSpec.mappable(BAR2_SIZE, new RegionSpec.Handler() {
            @Override
            public void read(long offset, ByteBuffer dst) {
                dst.put(bar2.buffer().position((int) offset).limit((int) offset + dst.remaining()));
            }

            @Override
            public void write(long offset, ByteBuffer src) {
                bar2.buffer().position((int) offset).put(src);
            }
        }, bar2, List.of(new SparseArea(0x1000, 0x1000))));
        irq = host.interrupts(IrqLayout.INTX_ONLY);
        dma = host.dma();
        host.migration(this);
    }

    private static int dword(long offset, int length) {
        if (length != Integer.BYTES || (offset & 3) != 0) {
            throw new DeviceException(Errno.EINVAL, "BAR0 takes aligned dword accesses, not " + length + " bytes at 0x"
                    + Long.toHexString(offset));
        }
        return (int) offset;
    }

    private synchronized int readRegister(int offset) {
        return switch (offset) {
            case COUNTER -> counter;
            case STATUS -> status;
            case DMA_ADDRESS -> (int) dmaAddress;
            case DMA_ADDRESS + 4 -> (int) (dmaAddress >>> 32);
            default -> 0;
        };
    }

    private synchronized void writeRegister(int offset, int value) {
        switch (offset) {
            case COUNTER -> counter = value;
            case DMA_ADDRESS -> dmaAddress = (dmaAddress & ~0xffff_ffffL) | (value & 0xffff_ffffL);
            case DMA_ADDRESS + 4 -> dmaAddress = (dmaAddress & 0xffff_ffffL) | ((long) value << 32);
            case GO -> {
                if (runState == RunState.RUNNING) {
                    work.execute(this::go);
                }
            }
            default -> { }
        }
    }

    /** The device's one piece of work, on its own thread: DMA in, add, DMA out, interrupt. */
    private void go() {
        int addend;
        long at;
        synchronized (this) {
            if (runState != RunState.RUNNING) {
                return; // stopped or quiesced after the doorbell: a stopped device starts no DMA
            }
            addend = counter;
            at = dmaAddress;
        }
        ByteBuffer word = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try {
            dma.read(at, word);
            int sum = word.flip().getInt() + addend;
            dma.write(at + Integer.BYTES, word.clear().putInt(sum).flip());
            setStatus(0);
        } catch (DmaFaultException e) {
            setStatus(STATUS_DMA_FAULT);
        }
        irq.raise(IrqType.INTX, 0);
    }

    private synchronized void setStatus(int value) {
        status = value;
    }

    /**
     * Stopping or quiescing waits for the work in flight (bounded: one DMA round trip), so that no
     * DMA and no interrupt come after the arc has returned.
     */
    @Override
    public void runState(RunState state) {
        synchronized (this) {
            runState = state;
        }
        if (state != RunState.RUNNING) {
            try {
                work.submit(() -> { }).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceException(Errno.EIO, "interrupted while stopping");
            } catch (ExecutionException | TimeoutException e) {
                throw new DeviceException(Errno.EIO, "the device's work did not finish: " + e);
            }
        }
    }

    @Override
    public synchronized void reset() {
        counter = 0;
        status = 0;
        dmaAddress = 0;
        runState = RunState.RUNNING;
    }

    @Override
    public void close() {
        work.shutdownNow();
        if (bar2 != null) {
            bar2.close();
        }
    }

    /** The arcs the host's state machine announced, "FROM->TO", in order. */
    public synchronized List<String> arcsHeard() {
        return List.copyOf(arcsHeard);
    }

    @Override
    public MigrationFeatures features() {
        return features;
    }

    @Override
    public synchronized void transition(MigrationState from, MigrationState to) {
        if (from == MigrationState.RESUMING && to == MigrationState.STOP) {
            apply(stream);
        }
        if (to == MigrationState.STOP_COPY) {
            stream = snapshot();
        } else if (to == MigrationState.PRE_COPY) {
            stream = ByteBuffer.allocate(0); // everything goes in stop-copy: the state is 8 KiB
        } else if (to == MigrationState.RESUMING) {
            stream = ByteBuffer.allocate(STREAM_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        }
        arcsHeard.add(from + "->" + to);
    }

    private ByteBuffer snapshot() {
        ByteBuffer s = ByteBuffer.allocate(STREAM_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        s.putInt(MAGIC).putInt(counter).put(bar2.buffer());
        return s.flip();
    }

    private void apply(ByteBuffer written) {
        if (written.hasRemaining() || written.getInt(0) != MAGIC) {
            throw new DeviceException(Errno.EINVAL, "not a complete counter-device stream: " + written.position()
                    + " of " + STREAM_SIZE + " bytes, magic 0x" + Integer.toHexString(written.getInt(0)));
        }
        counter = written.getInt(4);
        bar2.buffer().put(written.position(8));
    }

    @Override
    public synchronized int readData(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), stream.remaining());
        dst.put(stream.slice(stream.position(), n));
        stream.position(stream.position() + n);
        return n;
    }

    @Override
    public synchronized void writeData(ByteBuffer src) {
        if (src.remaining() > stream.remaining()) {
            throw new DeviceException(Errno.EINVAL, "more than the " + STREAM_SIZE + " bytes of a counter-device stream");
        }
        stream.put(src);
    }

    @Override
    public synchronized long stopCopySize() {
        return STREAM_SIZE;
    }
}
