package dev.vfiosim.simulator.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.fault.FaultAction.FailArc;
import dev.vfiosim.simulator.fault.FaultAction.LieSize;
import dev.vfiosim.simulator.fault.FaultAction.ReplyErrno;
import dev.vfiosim.simulator.fault.FaultEvent.ArcEvent;
import dev.vfiosim.simulator.fault.FaultEvent.CommandEvent;
import dev.vfiosim.simulator.fault.FaultEvent.SizeReportEvent;
import dev.vfiosim.simulator.fault.FaultSite.ArcSite;
import dev.vfiosim.simulator.fault.FaultSite.CommandSite;
import dev.vfiosim.simulator.fault.FaultSite.SizeKind;
import dev.vfiosim.simulator.fault.FaultSite.SizeReportSite;
import dev.vfiosim.simulator.fault.FaultTrigger.After;
import dev.vfiosim.simulator.fault.FaultTrigger.Always;
import dev.vfiosim.simulator.fault.FaultTrigger.EveryNth;
import dev.vfiosim.simulator.fault.FaultTrigger.Nth;
import dev.vfiosim.simulator.fault.FaultTrigger.Probability;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {
    private static final CommandSite READS = CommandSite.of("REGION_READ");
    private static final FaultAction EIO = new ReplyErrno(Errno.EIO);
    private static final CommandEvent READ = CommandEvent.regionAccess("REGION_READ", 0, 0, 4);

    private static FaultInjector injector(FaultTrigger when) {
        return new FaultInjector(new FaultPlan(1, List.of(new FaultRule("r", READS, when, EIO))));
    }

    /** Which of {@code events} identical reads fire, 1-based. */
    private static List<Integer> firingsOver(FaultInjector faults, int events) {
        return IntStream.rangeClosed(1, events).filter(i -> faults.check(READ).isPresent()).boxed().toList();
    }

    @Test
    void alwaysNthAndEveryNth() {
        assertEquals(List.of(1, 2, 3, 4, 5), firingsOver(injector(new Always()), 5));
        assertEquals(List.of(3), firingsOver(injector(new Nth(3)), 10));
        assertEquals(List.of(4, 8), firingsOver(injector(new EveryNth(4)), 10));
    }

    @Test
    void onlyMatchingEventsCount() {
        FaultInjector faults = injector(new Nth(2));
        assertTrue(faults.check(CommandEvent.of("VERSION")).isEmpty());
        assertTrue(faults.check(READ).isEmpty());
        assertTrue(faults.check(CommandEvent.of("DEVICE_GET_INFO")).isEmpty());
        assertTrue(faults.check(READ).isPresent(), "the second REGION_READ, whatever came between");
    }

    @Test
    void afterCountsFromArming() {
        Instant[] now = {Instant.parse("2030-01-01T00:00:00Z")};
        InstantSource clock = () -> now[0];
        FaultRule rule = new FaultRule("late", READS, new After(Duration.ofSeconds(2)), EIO, OptionalLong.empty(), false);
        FaultInjector faults = new FaultInjector(new FaultPlan(1, List.of(rule)), clock);
        now[0] = now[0].plusSeconds(10);
        faults.arm("late");
        assertTrue(faults.check(READ).isEmpty(), "armed just now");
        now[0] = now[0].plusMillis(1999);
        assertTrue(faults.check(READ).isEmpty());
        now[0] = now[0].plusMillis(1);
        assertTrue(faults.check(READ).isPresent());
    }

    @Test
    void atMostLimitsFirings() {
        FaultRule rule = new FaultRule("r", READS, new EveryNth(2), EIO, OptionalLong.of(2), true);
        FaultInjector faults = new FaultInjector(new FaultPlan(1, List.of(rule)));
        assertEquals(List.of(2, 4), firingsOver(faults, 20));
        assertEquals(Map.of("r", 2L), faults.firedCounts());
        assertEquals(20, faults.status().get(0).matched());
    }

    @Test
    void probabilityIsRepeatableForASeedAndDiffersAcrossSeeds() {
        List<Integer> a = firingsOver(seeded(42), 10_000);
        List<Integer> b = firingsOver(seeded(42), 10_000);
        List<Integer> c = firingsOver(seeded(43), 10_000);
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertTrue(a.size() > 2_700 && a.size() < 3_300, "about 30% of 10 000, got " + a.size());
    }

    private static FaultInjector seeded(long seed) {
        return new FaultInjector(new FaultPlan(seed, List.of(new FaultRule("p", READS, new Probability(0.3), EIO))));
    }

    @Test
    void probabilityOfOneRuleDoesNotDependOnTheOthers() {
        FaultRule p = new FaultRule("p", READS, new Probability(0.5), EIO);
        FaultRule first = new FaultRule("first", READS, new Nth(5), EIO);
        FaultInjector alone = new FaultInjector(new FaultPlan(7, List.of(p)));
        FaultInjector after = new FaultInjector(new FaultPlan(7, List.of(p, first)));
        for (int i = 0; i < 1000; i++) {
            CommandEvent read = CommandEvent.regionAccess("REGION_READ", 0, i, 4);
            alone.check(read);
            after.check(read);
        }
        assertEquals(eventsHitBy("p", alone), eventsHitBy("p", after), "a rule added after p leaves p's firings as they were");
        assertEquals(1, after.firedCounts().get("first"));
    }

    private static List<FaultEvent> eventsHitBy(String ruleId, FaultInjector faults) {
        return faults.fired().stream().filter(f -> f.ruleId().equals(ruleId)).map(FiredFault::event).toList();
    }

    @Test
    void firstFiringRuleWinsButEveryMatchingRuleCounts() {
        FaultRule a = new FaultRule("a", READS, new Nth(2), EIO);
        FaultRule b = new FaultRule("b", READS, new Nth(2), new ReplyErrno(Errno.EBUSY));
        FaultRule c = new FaultRule("c", READS, new Nth(3), new ReplyErrno(Errno.EPERM));
        FaultInjector faults = new FaultInjector(new FaultPlan(1, List.of(a, b, c)));
        List<String> winners = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            faults.check(READ).ifPresent(f -> winners.add(f.ruleId()));
        }
        assertEquals(List.of("a", "c"), winners, "b lost event 2 to a; c's third event is the third read");
    }

    @Test
    void armAndDisarm() {
        FaultInjector faults = injector(new Always());
        assertTrue(faults.active());
        faults.disarm("r");
        assertFalse(faults.active(), "nothing armed: hot paths skip building events");
        assertTrue(faults.check(READ).isEmpty());
        faults.armAll();
        assertTrue(faults.check(READ).isPresent());
        faults.disarmAll();
        assertTrue(faults.check(READ).isEmpty());
        faults.arm("r");
        assertTrue(faults.check(READ).isPresent());
        assertEquals(2, faults.firedCounts().get("r"));
        assertEquals(2, faults.status().get(0).matched(), "events while disarmed are not counted");
        assertThrows(IllegalArgumentException.class, () -> faults.arm("nope"));
    }

    @Test
    void noneNeverFires() {
        assertFalse(FaultInjector.NONE.active());
        assertTrue(FaultInjector.NONE.check(READ).isEmpty());
        assertTrue(FaultInjector.NONE.fired().isEmpty());
    }

    @Test
    void firedRecordAndListener() throws InterruptedException {
        FaultRule arc = new FaultRule("arc", new ArcSite("RUNNING_P2P", "STOP"), new Always(), new FailArc(true, Errno.EIO));
        FaultInjector faults = new FaultInjector(new FaultPlan(1, List.of(arc)));
        List<FiredFault> heard = new ArrayList<>();
        faults.addListener(heard::add);
        assertFalse(faults.awaitFired("arc", Duration.ofMillis(10)));
        faults.check(new ArcEvent("RUNNING", "RUNNING_P2P"));
        FiredFault f = faults.check(ArcEvent.of(5, 1)).orElseThrow();
        assertTrue(faults.awaitFired("arc", Duration.ofMillis(10)));
        assertEquals(1, f.sequence());
        assertEquals("arc", f.ruleId());
        assertEquals(new ArcEvent("RUNNING_P2P", "STOP"), f.event());
        assertEquals(new FailArc(true, Errno.EIO), f.action());
        assertEquals(List.of(f), faults.fired());
        assertEquals(List.of(f), heard);
        assertEquals("fault #1 rule arc hit arc RUNNING_P2P->STOP: fail arc with EIO, device to ERROR", f.describe());
    }

    @Test
    void awaitWakesWhenAnotherThreadFires() throws Exception {
        FaultInjector faults = injector(new Nth(1));
        CountDownLatch waiting = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> awaited = pool.submit(() -> {
                waiting.countDown();
                return faults.awaitFired("r", Duration.ofSeconds(10));
            });
            waiting.await();
            faults.check(READ);
            assertTrue(awaited.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sizeLiesFreezeAtTheHighWaterMark() {
        FaultRule freeze = new FaultRule("stuck", new SizeReportSite(SizeKind.INITIAL_BYTES), new Always(), LieSize.of(LieSize.Mode.FREEZE));
        FaultInjector faults = new FaultInjector(new FaultPlan(1, List.of(freeze)));
        assertEquals(1000, faults.reportedSize(new SizeReportEvent(SizeKind.INITIAL_BYTES, 1000)));
        assertEquals(1000, faults.reportedSize(new SizeReportEvent(SizeKind.INITIAL_BYTES, 400)));
        assertEquals(1000, faults.reportedSize(new SizeReportEvent(SizeKind.INITIAL_BYTES, 0)), "initial bytes never reach 0");
        assertEquals(77, faults.reportedSize(new SizeReportEvent(SizeKind.DIRTY_BYTES, 77)), "another size is not touched");
        assertEquals(3, faults.firedCounts().get("stuck"));
    }

    @Test
    void summaryListsEveryRuleWithItsCounts() {
        FaultRule a = new FaultRule("read-eio", READS, new Nth(1), EIO);
        FaultRule b = new FaultRule("never", new ArcSite("*", "STOP"), new Always(), new FailArc(false, Errno.EIO));
        FaultInjector faults = new FaultInjector(new FaultPlan(42, List.of(a, b)));
        firingsOver(faults, 3);
        String summary = faults.summary();
        assertTrue(summary.startsWith("fault summary: 2 rules, 1 firing (seed 42)"), summary);
        assertTrue(summary.matches("(?s).*read-eio\\s+yes\\s+3\\s+1\\s+command REGION_READ \\| nth 1 \\| reply EIO.*"), summary);
        assertTrue(summary.matches("(?s).*never\\s+yes\\s+0\\s+0\\s+arc \\*->STOP.*"), summary);
    }

    @Test
    void manyThreadsRespectAtMostAndNumberFiringsWithoutGaps() throws Exception {
        FaultRule rule = new FaultRule("r", READS, new Probability(0.5), EIO, OptionalLong.of(1000), true);
        FaultInjector faults = new FaultInjector(new FaultPlan(3, List.of(rule)));
        AtomicLong seen = new AtomicLong();
        faults.addListener(f -> seen.incrementAndGet());
        int threads = 8;
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> IntStream.range(0, perThread).filter(i -> faults.check(READ).isPresent()).count()));
            }
            long fired = 0;
            for (Future<Long> r : results) {
                fired += r.get(30, TimeUnit.SECONDS);
            }
            assertEquals(1000, fired, "40 000 events at p=0.5 reach the limit of 1000 and no more");
            assertEquals(1000, seen.get());
            assertEquals(1000L, faults.firedCounts().get("r"));
            assertEquals(threads * perThread, faults.status().get(0).matched());
            List<FiredFault> record = faults.fired();
            for (int i = 0; i < record.size(); i++) {
                assertEquals(i + 1, record.get(i).sequence());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A listener runs on the thread that hit the fault (a device thread): its failure must not reach it. */
    @Test
    void aFailingListenerNeitherStopsTheFiringNorTheOtherListeners() {
        FaultInjector faults = injector(new Always());
        AtomicLong heard = new AtomicLong();
        faults.addListener(f -> {
            throw new IllegalStateException("listener bug");
        });
        faults.addListener(f -> heard.incrementAndGet());
        assertTrue(faults.check(READ).isPresent());
        assertTrue(faults.check(READ).isPresent());
        assertEquals(2, heard.get());
        assertEquals(2, faults.listenerFailures());
    }

    @Test
    void anEnormousDelayHoldsUntilInterruptedInsteadOfThrowing() throws Exception {
        FaultAction.Delay forever = new FaultAction.Delay(Duration.ofSeconds(Long.MAX_VALUE));
        AtomicLong outcome = new AtomicLong(-1);
        Thread holder = new Thread(() -> {
            try {
                forever.hold();
                outcome.set(Thread.currentThread().isInterrupted() ? 1 : 2);
            } catch (RuntimeException e) {
                outcome.set(3);
            }
        });
        holder.start();
        holder.interrupt();
        holder.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(holder.isAlive());
        assertEquals(1, outcome.get(), "cut short by the interrupt, which stays set");
    }
}
