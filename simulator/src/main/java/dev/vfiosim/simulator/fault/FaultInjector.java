package dev.vfiosim.simulator.fault;

import dev.vfiosim.simulator.fault.FaultAction.LieSize;
import dev.vfiosim.simulator.fault.FaultEvent.SizeReportEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link FaultPlan}: the injection points ask it, event by event, whether a fault fires.
 *
 * <p>Every armed rule whose site matches an event counts the event (so "the 3rd REGION_READ" means
 * the 3rd one, whatever other rules did with the first two) and draws its random number if it has a
 * probability trigger; the first of those rules, in plan order, whose trigger fires and which is
 * under its {@code atMost} is the fault. One event gets at most one fault. Decisions are taken
 * under one lock, so the sequence of firings for a given sequence of events depends on nothing but
 * the plan and its seed, whichever threads deliver the events.
 *
 * <p>Hot paths call {@link #active()} (one volatile read) before building an event, so that a
 * server without faults, or with every rule disarmed, allocates and locks nothing.
 */
public final class FaultInjector {
    /** An injector that never fires. */
    public static final FaultInjector NONE = new FaultInjector(FaultPlan.EMPTY);

    /** How many firings {@link #fired()} keeps (the most recent); counts are exact whatever the history holds. */
    public static final int HISTORY_LIMIT = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);

    private final FaultPlan plan;
    private final InstantSource clock;
    private final List<RuleState> rules = new ArrayList<>();
    private final Map<String, RuleState> byId = new LinkedHashMap<>();
    private final Deque<FiredFault> history = new ArrayDeque<>();
    private final List<Consumer<FiredFault>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong listenerFailures = new AtomicLong();
    private long sequence;
    private volatile boolean active;

    public FaultInjector(FaultPlan plan) {
        this(plan, InstantSource.system());
    }

    /** With a clock of the caller's choosing, so that tests can move time for {@code after} triggers. */
    public FaultInjector(FaultPlan plan, InstantSource clock) {
        this.plan = plan;
        this.clock = clock;
        // one stream per rule, split from the seed in plan order: adding a rule at the end of a plan
        // leaves the earlier rules' firings as they were
        SplittableRandom root = new SplittableRandom(plan.seed());
        Instant now = clock.instant();
        for (FaultRule rule : plan.rules()) {
            RuleState s = new RuleState(rule, root.split(), rule.armed(), now);
            rules.add(s);
            byId.put(rule.id(), s);
        }
        active = rules.stream().anyMatch(r -> r.armed);
    }

    public FaultPlan plan() {
        return plan;
    }

    /** Whether any rule is armed: false means {@link #check} would answer empty, so the event need not be built. */
    public boolean active() {
        return active;
    }

    /** The fault for this event, if one fires; the firing is logged, counted and recorded. */
    public Optional<FiredFault> check(FaultEvent event) {
        if (!active) {
            return Optional.empty();
        }
        FiredFault firing;
        synchronized (this) {
            firing = decide(event);
        }
        if (firing == null) {
            return Optional.empty();
        }
        announce(firing);
        return Optional.of(firing);
    }

    /**
     * The size the device must report for this event: the truth, unless a {@code lieSize} rule
     * fires. Kept here rather than at the injection point because "never shrinks" needs the rule's
     * memory of what it reported before.
     */
    public long reportedSize(SizeReportEvent event) {
        if (!active) {
            return event.actual();
        }
        FiredFault firing;
        long reported = event.actual();
        synchronized (this) {
            firing = decide(event);
            if (firing != null && firing.action() instanceof LieSize lie) {
                RuleState s = byId.get(firing.ruleId());
                reported = lie.reported(event.actual(), s.highWater);
                s.highWater = Math.max(s.highWater, reported);
            }
        }
        if (firing != null) {
            announce(firing);
            LOG.info("fault #{} rule {}: reported {} instead of {}", firing.sequence(), firing.ruleId(), reported, event.actual());
        }
        return reported;
    }

    public synchronized void arm(String ruleId) {
        RuleState s = state(ruleId);
        if (!s.armed) {
            s.armed = true;
            s.armedAt = clock.instant();
        }
        active = true;
    }

    public synchronized void disarm(String ruleId) {
        state(ruleId).armed = false;
        active = rules.stream().anyMatch(r -> r.armed);
    }

    public synchronized void armAll() {
        rules.forEach(r -> arm(r.rule.id()));
    }

    public synchronized void disarmAll() {
        rules.forEach(r -> r.armed = false);
        active = false;
    }

    /** The fired faults in order (the most recent {@link #HISTORY_LIMIT} of them). */
    public synchronized List<FiredFault> fired() {
        return List.copyOf(history);
    }

    /** How often each rule fired, every rule of the plan listed in plan order (0 for those that never did). */
    public synchronized Map<String, Long> firedCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        rules.forEach(r -> counts.put(r.rule.id(), r.firings));
        return counts;
    }

    /** Each rule with its arming and its counts, in plan order. */
    public synchronized List<RuleStatus> status() {
        return rules.stream().map(r -> new RuleStatus(r.rule, r.armed, r.occurrences, r.firings)).toList();
    }

    /** Called after each firing, on the thread that hit the fault, outside the injector's lock. */
    public void addListener(Consumer<FiredFault> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<FiredFault> listener) {
        listeners.remove(listener);
    }

    /** Waits until the rule has fired at least once; false if the timeout passed first. */
    public synchronized boolean awaitFired(String ruleId, Duration timeout) throws InterruptedException {
        RuleState s = state(ruleId);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (s.firings == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** A table of every rule and how often it fired, for the CLI to print at exit. */
    public synchronized String summary() {
        long total = rules.stream().mapToLong(r -> r.firings).sum();
        StringBuilder s = new StringBuilder();
        s.append("fault summary: ").append(rules.size()).append(rules.size() == 1 ? " rule, " : " rules, ")
                .append(total).append(total == 1 ? " firing" : " firings").append(" (seed ").append(plan.seed()).append(")\n");
        if (rules.isEmpty()) {
            return s.toString();
        }
        int idWidth = Math.max(4, rules.stream().mapToInt(r -> r.rule.id().length()).max().orElse(0));
        String row = "  %-" + idWidth + "s  %-5s  %9s  %7s  %s%n";
        s.append(String.format(row, "rule", "armed", "matched", "fired", "where | when | what"));
        for (RuleState r : rules) {
            s.append(String.format(row, r.rule.id(), r.armed ? "yes" : "no", r.occurrences, r.firings, r.rule.describe()));
        }
        return s.toString();
    }

    /** A rule as it stands now. */
    public record RuleStatus(FaultRule rule, boolean armed, long matched, long fired) {
    }

    private FiredFault decide(FaultEvent event) {
        Instant now = null;
        RuleState winner = null;
        for (RuleState r : rules) {
            if (!r.armed || !r.rule.where().matches(event)) {
                continue;
            }
            r.occurrences++;
            if (now == null) {
                now = clock.instant();
            }
            // every matching rule evaluates its trigger, winner or not, so that each rule's count
            // and random stream advance by the events alone
            boolean fires = r.rule.when().fires(r.occurrences, Duration.between(r.armedAt, now), r.random)
                    && r.firings < r.rule.atMost().orElse(Long.MAX_VALUE);
            if (fires && winner == null) {
                winner = r;
            }
        }
        if (winner == null) {
            return null;
        }
        winner.firings++;
        FiredFault f = new FiredFault(++sequence, winner.rule.id(), event, winner.rule.what(), winner.rule.where(), now);
        if (history.size() == HISTORY_LIMIT) {
            history.removeFirst();
        }
        history.addLast(f);
        notifyAll();
        return f;
    }

    /**
     * Logs the firing and tells the listeners. A listener runs on a device or session thread: its
     * failure is counted and logged (the first few, then every 1000th), never passed on to that thread.
     */
    private void announce(FiredFault firing) {
        LOG.info("{}", firing.describe());
        for (Consumer<FiredFault> l : listeners) {
            try {
                l.accept(firing);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                long n = listenerFailures.incrementAndGet();
                if (n <= 3 || n % 1000 == 0) {
                    LOG.warn("fault listener failed on fault #{} ({} listener failures so far)", firing.sequence(), n, e);
                }
            }
        }
    }

    /** Listener calls that threw (and were absorbed). */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    private RuleState state(String ruleId) {
        RuleState s = byId.get(ruleId);
        if (s == null) {
            throw new IllegalArgumentException("no rule \"" + ruleId + "\" in the plan; rules: " + String.join(", ", byId.keySet()));
        }
        return s;
    }

    /** A rule's mutable side, guarded by the injector's lock. */
    private static final class RuleState {
        final FaultRule rule;
        final SplittableRandom random;
        boolean armed;
        Instant armedAt;
        long occurrences;
        long firings;
        long highWater;

        RuleState(FaultRule rule, SplittableRandom random, boolean armed, Instant armedAt) {
            this.rule = rule;
            this.random = random;
            this.armed = armed;
            this.armedAt = armedAt;
        }
    }
}
