package dev.vfiosim.server.session;

import dev.vfiosim.server.protocol.ProtocolException;
import dev.vfiosim.server.transport.EventFd;
import dev.vfiosim.server.transport.FileDescriptors;
import dev.vfiosim.simulator.fault.FaultAction;
import dev.vfiosim.simulator.fault.FaultAction.Delay;
import dev.vfiosim.simulator.fault.FaultAction.DropInterrupt;
import dev.vfiosim.simulator.fault.FaultAction.DuplicateInterrupt;
import dev.vfiosim.simulator.fault.FaultEvent.InterruptEvent;
import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FiredFault;
import dev.vfiosim.simulator.irq.InterruptSink;
import dev.vfiosim.simulator.irq.IrqType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eventfds a client wired to the device's vectors with DEVICE_SET_IRQS: VMM-owned state that
 * lives as long as the connection. Delivering an interrupt writes 1 to the vector's eventfd. The
 * table is locked while signalling so that an fd is never written after being closed (and possibly
 * reused by another open).
 *
 * <p>The {@code interrupt} fault site is here, between the device and the eventfd: a dropped
 * interrupt is one the device believes it delivered; a delayed one is written later by a timer
 * thread, to whatever eventfd the vector has by then, so the device's own thread never waits.
 */
final class IrqEventfds implements InterruptSink {
    private static final Logger LOG = LoggerFactory.getLogger(IrqEventfds.class);
    private static final int NONE = -1;
    private static final long LOG_FIRST_LOST = 3;
    private static final long LOG_EVERY_LOST = 1000;
    private static final Duration LONGEST_DELAY = Duration.ofNanos(Long.MAX_VALUE);
    private static final String EVENTFD_LINK = "anon_inode:[eventfd]";

    private final int[][] triggers = new int[IrqType.values().length][];
    /** INTx "unmask" eventfds (QEMU's KVM resample fd): kept, closed with the table, not watched. */
    private final int[][] unmaskNotifiers = new int[IrqType.values().length][];
    private final FaultInjector faults;
    /** Interrupts an eventfd refused (guarded by this). */
    private long lost;
    /** Delivers delayed interrupts; made when the first delay fires. */
    private ScheduledExecutorService later;

    IrqEventfds(int[] vectorCounts, FaultInjector faults) {
        this.faults = faults;
        for (IrqType type : IrqType.values()) {
            triggers[type.index()] = filled(vectorCounts[type.index()]);
            unmaskNotifiers[type.index()] = filled(vectorCounts[type.index()]);
        }
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, NONE);
        return a;
    }

    @Override
    public boolean signal(IrqType type, int vector) {
        if (vector < 0 || vector >= triggers[type.index()].length) {
            LOG.warn("interrupt {} vector {} does not exist ({} vectors); not delivered", type, vector,
                    triggers[type.index()].length);
            return false;
        }
        if (!faults.active()) {
            return deliver(type, vector, 1);
        }
        Optional<FiredFault> fired = faults.check(new InterruptEvent(type, vector));
        FaultAction action = fired.isPresent() ? fired.get().action() : null;
        if (action instanceof DropInterrupt) {
            return hasTrigger(type, vector);
        }
        if (action instanceof DuplicateInterrupt) {
            return deliver(type, vector, 2);
        }
        if (action instanceof Delay d) {
            deliverLater(type, vector, d);
            return hasTrigger(type, vector);
        }
        return deliver(type, vector, 1);
    }

    /** Writes the vector's eventfd {@code times} times (each a separate signal, as the device would send them). */
    private synchronized boolean deliver(IrqType type, int vector, int times) {
        int fd = triggers[type.index()][vector];
        if (fd == NONE) {
            return false;
        }
        try {
            for (int i = 0; i < times; i++) {
                EventFd.signalIfRoom(fd);
            }
            return true;
        } catch (IOException e) {
            // a client that never drains its eventfd would otherwise turn every interrupt into a log line
            lost++;
            if (lost <= LOG_FIRST_LOST || lost % LOG_EVERY_LOST == 0) {
                LOG.warn("interrupt {} vector {} lost ({} so far): eventfd {} refused the write: {}", type, vector, lost, fd,
                        e.getMessage());
            }
            return false;
        }
    }

    private synchronized void deliverLater(IrqType type, int vector, Delay delay) {
        if (later == null || later.isShutdown()) {
            later = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "delayed-interrupts");
                t.setDaemon(true);
                return t;
            });
        }
        // saturate: Duration.toNanos throws past ~292 years, and this runs on the device's thread
        long nanos = delay.delay().compareTo(LONGEST_DELAY) >= 0 ? Long.MAX_VALUE : delay.delay().toNanos();
        later.schedule(() -> {
            try {
                deliver(type, vector, 1);
            } catch (RuntimeException e) {
                LOG.warn("delayed interrupt {} vector {} failed", type, vector, e);
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Takes ownership of {@code fds[i]} as the trigger of vector {@code start + i}. Each must be an
     * eventfd (EINVAL otherwise, as the kernel's eventfd_ctx_fdget answers; all of them are closed
     * then). Its file status flags are left alone: the file description is shared with the client,
     * and making it non-blocking would make a client's blocking read fail with EAGAIN (libvfio-user's
     * client blocks reading its INTx eventfd). A write that could block (the client left the counter
     * at its maximum) is refused instead, so the device's thread and this table are never held.
     */
    synchronized void assignTriggers(IrqType type, int start, int[] fds) {
        adopt(fds, type);
        for (int i = 0; i < fds.length; i++) {
            replace(triggers[type.index()], start + i, fds[i]);
        }
    }

    synchronized void assignUnmaskNotifiers(IrqType type, int start, int[] fds) {
        adopt(fds, type);
        for (int i = 0; i < fds.length; i++) {
            replace(unmaskNotifiers[type.index()], start + i, fds[i]);
        }
    }

    synchronized void releaseTriggers(IrqType type, int start, int count) {
        for (int v = start; v < start + count; v++) {
            replace(triggers[type.index()], v, NONE);
        }
    }

    /** For {@code status}: per interrupt type, the vectors wired to an eventfd, and the interrupts lost. */
    synchronized java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        for (IrqType type : IrqType.values()) {
            java.util.List<Integer> wired = new java.util.ArrayList<>();
            int[] t = triggers[type.index()];
            for (int v = 0; v < t.length; v++) {
                if (t[v] != NONE) {
                    wired.add(v);
                }
            }
            if (t.length > 0) {
                d.put(type.name(), java.util.Map.of("vectors", t.length, "wired", wired));
            }
        }
        d.put("lost", lost);
        return d;
    }

    synchronized boolean hasTrigger(IrqType type, int vector) {
        return triggers[type.index()][vector] != NONE;
    }

    /** Closes every eventfd and forgets delayed interrupts: the client is gone. */
    synchronized void releaseAll() {
        if (later != null) {
            later.shutdownNow();
        }
        for (IrqType type : IrqType.values()) {
            releaseTriggers(type, 0, triggers[type.index()].length);
            int[] notifiers = unmaskNotifiers[type.index()];
            for (int v = 0; v < notifiers.length; v++) {
                replace(notifiers, v, NONE);
            }
        }
    }

    private static void adopt(int[] fds, IrqType type) {
        for (int fd : fds) {
            String refused = eventfdProblem(fd);
            if (refused != null) {
                for (int each : fds) {
                    FileDescriptors.close(each);
                }
                throw ProtocolException.invalid("DEVICE_SET_IRQS on " + type + ": fd " + fd + " " + refused);
            }
        }
    }

    /** Null when {@code fd} is an eventfd, else what is wrong with it. */
    private static String eventfdProblem(int fd) {
        String target;
        try {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot be inspected: " + e.getMessage();
        }
        if (!EVENTFD_LINK.equals(target)) {
            return "is " + target + ", not an eventfd";
        }
        return null;
    }

    private static void replace(int[] table, int vector, int fd) {
        if (table[vector] != NONE) {
            FileDescriptors.close(table[vector]);
        }
        table[vector] = fd;
    }
}
