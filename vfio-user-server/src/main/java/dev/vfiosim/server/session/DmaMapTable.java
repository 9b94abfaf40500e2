package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.DmaMap;
import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.server.transport.FileDescriptors;
import dev.vfiosim.server.transport.MappedMemory;
import dev.vfiosim.server.transport.MappingFaultException;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.dma.Dma;
import dev.vfiosim.simulator.dma.DmaFaultException;
import dev.vfiosim.simulator.fault.FaultAction;
import dev.vfiosim.simulator.fault.FaultAction.Delay;
import dev.vfiosim.simulator.fault.FaultAction.DmaError;
import dev.vfiosim.simulator.fault.FaultAction.ReplyErrno;
import dev.vfiosim.simulator.fault.FaultEvent.DmaEvent;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FaultSite.DmaKind;
import dev.vfiosim.simulator.fault.FiredFault;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's DMA mappings (VMM-owned state, per connection) and the device's {@link Dma} port over
 * them. IOVAs are unsigned 64-bit: the table is ordered with {@link Long#compareUnsigned}, so mappings
 * above and below 2^63 coexist. Device accesses look mappings up without a table lock; each
 * {@link MappedMemory} guards its own lifetime (an access holds its read stamp for one copy, and its
 * close waits for that copy), so an unmap waits for in-flight DMA to finish, an access that loses the
 * race to an unmap faults, and no access ever touches memory after its munmap. Map and unmap are
 * serialised by {@link #changes}. An unmap or a teardown waits at most {@link #UNMAP_WAIT_NANOS} in all.
 *
 * <p>The {@code dma} fault site is here: the client's map and unmap can be refused with an errno,
 * the device's reads and writes can fault as if the IOMMU refused them, and any of them delayed.
 */
final class DmaMapTable implements Dma {
    private static final Logger LOG = LoggerFactory.getLogger(DmaMapTable.class);
    static final long PAGE = 4096;
    /** libvfio-user's ceiling for one mapping on x86-64; larger is refused with ENOSPC. */
    static final long MAX_MAPPING = 8L << 40;

    /** One mapping; {@code memory} is null when the client gave no fd (message-based DMA). */
    record Mapping(long iova, long size, boolean readable, boolean writable, MappedMemory memory) {
        long end() {
            return iova + size;
        }
    }

    /**
     * How long one unmap (or the whole teardown) waits for in-flight copies before it leaves each
     * remaining copy to finish the munmap itself.
     */
    static final long UNMAP_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** 2^63: no file reaches it (off_t is signed, so a file holds at most 2^63 - 1 bytes); a mapping ends below it. */
    static final long MAX_FILE_END = Long.MIN_VALUE;   // 2^63 as an unsigned value

    private final ConcurrentSkipListMap<Long, Mapping> byIova = new ConcurrentSkipListMap<>(Long::compareUnsigned);
    private final Object changes = new Object();
    /** Mappings in the table: ConcurrentSkipListMap.size() walks the whole map. Written under {@link #changes}. */
    private volatile int count;
    private final long maxMappings;
    private final DmaLogging logging;
    private final FaultInjector injector;
    private volatile MessageDma messageDma;
    private long faults;
    private volatile FaultListener faultListener;

    /** Told of every failed DMA access of the device (for the trace and metrics); never throws. */
    @FunctionalInterface
    interface FaultListener {
        void dmaFault(long iova, long length, boolean write, String why);
    }

    DmaMapTable(long maxMappings, DmaLogging logging, FaultInjector injector) {
        this.maxMappings = maxMappings;
        this.logging = logging;
        this.injector = injector;
    }

    void observeFaults(FaultListener listener) {
        this.faultListener = listener;
    }

    /** DMA_MAP. Takes ownership of {@code fd} (-1 for none): it is closed whatever happens. */
    void map(DmaMap request, int fd) {
        try {
            if (injector.active()) {
                inject(DmaKind.MAP, request.address(), request.size());
            }
            check(request, fd >= 0);
            MappedMemory memory = fd < 0 ? null : mmap(request, fd);
            synchronized (changes) {
                Mapping clash = overlapping(request.address(), request.size());
                if (clash != null || count >= maxMappings) {
                    if (memory != null) {
                        memory.close();
                    }
                    if (clash != null) {
                        throw new ProtocolException(Errno.EEXIST, "DMA_MAP [0x" + Long.toHexString(request.address())
                                + ", +0x" + Long.toHexString(request.size()) + ") overlaps the mapping at 0x"
                                + Long.toHexString(clash.iova()) + " size 0x" + Long.toHexString(clash.size()));
                    }
                    throw new ProtocolException(Errno.ENOSPC, "DMA_MAP exceeds max_dma_maps " + maxMappings);
                }
                byIova.put(request.address(), new Mapping(request.address(), request.size(), request.readable(),
                        request.writable(), memory));
                count++;
            }
            LOG.debug("mapped IOVA 0x{} size 0x{} {}", Long.toHexString(request.address()), Long.toHexString(request.size()),
                    memory == null ? "(message-based)" : "from fd");
        } finally {
            if (fd >= 0) {
                // the mapping keeps the memory alive; the fd itself is no longer needed
                FileDescriptors.close(fd);
            }
        }
    }

    /** Where accesses to mappings without an fd go, once the client's transfer size is known. */
    void useMessages(MessageDma messages) {
        this.messageDma = messages;
    }

    private static void check(DmaMap r, boolean withFd) {
        if (r.size() == 0) {
            throw ProtocolException.invalid("DMA_MAP of size 0");
        }
        if ((r.address() | r.size() | r.offset()) % PAGE != 0) {
            throw ProtocolException.invalid("DMA_MAP address 0x" + Long.toHexString(r.address()) + ", size 0x"
                    + Long.toHexString(r.size()) + " and offset 0x" + Long.toHexString(r.offset())
                    + " must be multiples of " + PAGE);
        }
        if (Long.compareUnsigned(r.size(), MAX_MAPPING) > 0) {
            throw new ProtocolException(Errno.ENOSPC, "DMA_MAP size 0x" + Long.toHexString(r.size()) + " exceeds 8 TiB");
        }
        if (Long.compareUnsigned(r.address() + r.size(), r.address()) < 0 || r.address() + r.size() == 0) {
            throw ProtocolException.invalid("DMA_MAP range wraps around the IOVA space");
        }
        if (!r.readable() && !r.writable()) {
            throw ProtocolException.invalid("DMA_MAP with neither READ nor WRITE");
        }
        // offsets are u64 on the wire, off_t (signed) in mmap and in every file: no file reaches 2^63
        if (withFd && (Long.compareUnsigned(r.offset() + r.size(), r.offset()) < 0
                || Long.compareUnsigned(r.offset() + r.size(), MAX_FILE_END) >= 0)) {
            throw ProtocolException.invalid("DMA_MAP fd offset 0x" + Long.toHexString(r.offset()) + " + size 0x"
                    + Long.toHexString(r.size()) + " does not end below 2^63, the limit of every file");
        }
    }

    private static MappedMemory mmap(DmaMap r, int fd) {
        try {
            return MappedMemory.map(fd, r.offset(), r.size(), r.writable());
        } catch (IOException e) {
            throw ProtocolException.invalid("DMA_MAP cannot mmap the fd at offset 0x" + Long.toHexString(r.offset())
                    + ": " + e.getMessage());
        }
    }

    /** The first mapping that intersects [iova, iova+size), or null. */
    private Mapping overlapping(long iova, long size) {
        Map.Entry<Long, Mapping> below = byIova.floorEntry(iova);
        if (below != null && Long.compareUnsigned(below.getValue().end(), iova) > 0) {
            return below.getValue();
        }
        Map.Entry<Long, Mapping> above = byIova.ceilingEntry(iova);
        if (above != null && Long.compareUnsigned(above.getKey(), iova + size) < 0) {
            return above.getValue();
        }
        return null;
    }

    /**
     * DMA_UNMAP of every mapping inside [iova, iova+size), as the kernel's type1 IOMMU does; a
     * mapping only partly covered is EINVAL, nothing covered at all is ENOENT.
     */
    List<Mapping> unmap(long iova, long size) {
        if (injector.active()) {
            inject(DmaKind.UNMAP, iova, size);
        }
        // the kernel's type1 checks: page-aligned, non-empty, not wrapping past 2^64 (ending at it is fine)
        if ((iova | size) % PAGE != 0 || size == 0) {
            throw ProtocolException.invalid("DMA_UNMAP [0x" + Long.toHexString(iova) + ", +0x" + Long.toHexString(size)
                    + ") is empty or not page-aligned");
        }
        if (Long.compareUnsigned(iova + size - 1, iova) < 0) {
            throw ProtocolException.invalid("DMA_UNMAP [0x" + Long.toHexString(iova) + ", +0x" + Long.toHexString(size)
                    + ") wraps around the IOVA space");
        }
        synchronized (changes) {
            List<Mapping> covered = new ArrayList<>();
            long end = iova + size;   // 0 when the range runs to the top of the IOVA space
            Map.Entry<Long, Mapping> below = byIova.lowerEntry(iova);
            if (below != null && Long.compareUnsigned(below.getValue().end() - 1, iova) >= 0) {
                throw ProtocolException.invalid("DMA_UNMAP at 0x" + Long.toHexString(iova) + " would split the mapping at 0x"
                        + Long.toHexString(below.getKey()));
            }
            Map<Long, Mapping> inside = end == 0 ? byIova.tailMap(iova, true) : byIova.subMap(iova, true, end, false);
            for (Mapping m : inside.values()) {
                if (end != 0 && Long.compareUnsigned(m.end() - 1, end - 1) > 0) {
                    throw ProtocolException.invalid("DMA_UNMAP [0x" + Long.toHexString(iova) + ", 0x" + Long.toHexString(end)
                            + ") would split the mapping at 0x" + Long.toHexString(m.iova()));
                }
                covered.add(m);
            }
            if (covered.isEmpty()) {
                throw new ProtocolException(Errno.ENOENT, "DMA_UNMAP [0x" + Long.toHexString(iova) + ", +0x"
                        + Long.toHexString(size) + ") matches no mapping");
            }
            long deadline = System.nanoTime() + UNMAP_WAIT_NANOS;   // one budget for the whole unmap
            for (Mapping m : covered) {
                byIova.remove(m.iova());
                count--;
                release(m, deadline);
            }
            return covered;
        }
    }

    /** DMA_UNMAP with the ALL flag: the fault site sees it as an unmap of the whole IOVA space. */
    int unmapAllByClient() {
        if (injector.active()) {
            inject(DmaKind.UNMAP, 0, -1);
        }
        return unmapAll();
    }

    /** DMA_UNMAP ALL, and what a disconnect does. */
    int unmapAll() {
        synchronized (changes) {
            int n = 0;
            long deadline = System.nanoTime() + UNMAP_WAIT_NANOS;   // one budget for the whole teardown
            for (Map.Entry<Long, Mapping> e; (e = byIova.pollFirstEntry()) != null; n++) {
                release(e.getValue(), deadline);
            }
            count = 0;
            return n;
        }
    }

    /** Unmaps, waiting a bounded time for a copy in progress: a stuck copy must not hold teardown. */
    private static void release(Mapping m, long deadline) {
        if (m.memory() != null && !m.memory().close(Math.max(0, deadline - System.nanoTime()))) {
            LOG.warn("DMA mapping at IOVA 0x{} still had a copy in progress after the {} ms unmap wait; it unmaps when "
                    + "that copy ends", Long.toHexString(m.iova()), TimeUnit.NANOSECONDS.toMillis(UNMAP_WAIT_NANOS));
        }
    }

    int size() {
        return count;
    }

    long faults() {
        return faults;
    }

    /** The mappings now, for the control socket's {@code status}: iova, size, access, how they are reached. */
    java.util.List<java.util.Map<String, Object>> describe() {
        java.util.List<java.util.Map<String, Object>> list = new java.util.ArrayList<>();
        for (Mapping m : byIova.values()) {
            java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
            d.put("iova", "0x" + Long.toHexString(m.iova()));
            d.put("size", m.size());
            d.put("access", (m.readable() ? "r" : "-") + (m.writable() ? "w" : "-"));
            d.put("backing", m.memory() == null ? "messages" : "fd");
            list.add(d);
        }
        return list;
    }

    @Override
    public void read(long iova, ByteBuffer dst) {
        if (injector.active()) {
            inject(DmaKind.READ, iova, dst.remaining());
        }
        Mapping m = resolve(iova, dst.remaining(), false);
        if (m.memory() != null) {
            int length = dst.remaining();
            try {
                m.memory().get(iova - m.iova(), dst);
            } catch (MappingFaultException | InternalError e) {
                fault(iova, length, false, e.getMessage());
            }
            return;
        }
        int length = dst.remaining();
        MessageDma viaMessages = messages(iova, length, false);
        try {
            viaMessages.read(iova, dst);
        } catch (DmaFaultException e) {
            tell(iova, length, false, e.why());
            throw e;
        }
    }

    @Override
    public void write(long iova, ByteBuffer src) {
        int length = src.remaining();
        if (injector.active()) {
            inject(DmaKind.WRITE, iova, length);
        }
        Mapping m = resolve(iova, length, true);
        if (m.memory() != null) {
            try {
                m.memory().put(iova - m.iova(), src);
            } catch (MappingFaultException | InternalError e) {
                fault(iova, length, true, e.getMessage());
            }
            logging.written(iova, length);
            return;
        }
        MessageDma viaMessages = messages(iova, length, true);
        try {
            viaMessages.write(iova, src);
        } catch (DmaFaultException e) {
            tell(iova, length, true, e.why());
            throw e;
        }
        logging.written(iova, length);
    }

    /** Carries out the fault the plan fires on this DMA, if any: refuse it, fail it, or hold it back first. */
    private void inject(DmaKind kind, long iova, long length) {
        Optional<FiredFault> fired = injector.check(new DmaEvent(kind, iova, length));
        if (fired.isEmpty()) {
            return;
        }
        FaultAction action = fired.get().action();
        String why = "injected by fault rule " + fired.get().ruleId();
        if (action instanceof ReplyErrno r) {
            throw new ProtocolException(r.errno(), "DMA_" + kind + " [0x" + Long.toHexString(iova) + ", +0x"
                    + Long.toHexString(length) + ") refused: " + why);
        } else if (action instanceof DmaError) {
            fault(iova, length, kind == DmaKind.WRITE, why);
        } else if (action instanceof Delay d) {
            d.hold();
        }
    }

    private MessageDma messages(long iova, long length, boolean write) {
        MessageDma m = messageDma;
        if (m == null) {
            fault(iova, length, write, "message-based DMA before VERSION negotiation");
        }
        return m;
    }

    private void fault(long iova, long length, boolean write, String why) {
        synchronized (this) {
            faults++;
        }
        tell(iova, length, write, why);
        throw new DmaFaultException(iova, length, write, why);
    }

    private void tell(long iova, long length, boolean write, String why) {
        FaultListener l = faultListener;
        if (l != null) {
            l.dmaFault(iova, length, write, why);
        }
    }

    private Mapping resolve(long iova, long length, boolean write) {
        Map.Entry<Long, Mapping> e = byIova.floorEntry(iova);
        Mapping m = e == null ? null : e.getValue();
        long offset = m == null ? 0 : iova - m.iova();   // unsigned; the floor entry starts at or below iova
        if (m == null || Long.compareUnsigned(offset, m.size()) >= 0 || offset + length > m.size()) {
            fault(iova, length, write, "not inside one mapping");
        } else if (write ? !m.writable() : !m.readable()) {
            fault(iova, length, write, "mapping is not " + (write ? "writable" : "readable"));
        }
        return m;
    }
}
