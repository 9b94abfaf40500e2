package dev.vfiosim.simulator.fault;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * When a rule fires among the events its site matches. A trigger is a pure decision over the
 * rule's own count of matching events, the time since the rule was armed and the rule's own random
 * stream; the {@link FaultInjector} keeps that state. The record components are named as the plan
 * file's keys so that a complaint about one names the key the user wrote.
 */
public sealed interface FaultTrigger {
    /**
     * Whether the {@code occurrence}-th matching event (1-based) fires.
     *
     * @param sinceArmed time since the rule was armed (or the injector built)
     * @param random the rule's own stream: only {@link Probability} draws from it, exactly once per
     *     matching event, so that a plan's firings depend on nothing but its seed and the events
     */
    boolean fires(long occurrence, Duration sinceArmed, SplittableRandom random);

    /** One line for the summary. */
    String describe();

    record Always() implements FaultTrigger {
        @Override
        public boolean fires(long occurrence, Duration sinceArmed, SplittableRandom random) {
            return true;
        }

        @Override
        public String describe() {
            return "always";
        }
    }

    /** Only the nth matching event. */
    record Nth(long nth) implements FaultTrigger {
        public Nth {
            FaultPlanException.require(nth >= 1, "nth", "must be at least 1, got " + nth);
        }

        @Override
        public boolean fires(long occurrence, Duration sinceArmed, SplittableRandom random) {
            return occurrence == nth;
        }

        @Override
        public String describe() {
            return "nth " + nth;
        }
    }

    /** The everyNth-th, 2×everyNth-th, ... matching event. */
    record EveryNth(long everyNth) implements FaultTrigger {
        public EveryNth {
            FaultPlanException.require(everyNth >= 1, "everyNth", "must be at least 1, got " + everyNth);
        }

        @Override
        public boolean fires(long occurrence, Duration sinceArmed, SplittableRandom random) {
            return occurrence % everyNth == 0;
        }

        @Override
        public String describe() {
            return "every " + everyNth;
        }
    }

    /** Every matching event once this long has passed since the rule was armed. */
    record After(Duration after) implements FaultTrigger {
        public After {
            FaultPlanException.require(after != null && !after.isNegative(), "after", "must be a duration of 0 or more");
        }

        @Override
        public boolean fires(long occurrence, Duration sinceArmed, SplittableRandom random) {
            return sinceArmed.compareTo(after) >= 0;
        }

        @Override
        public String describe() {
            return "after " + DurationText.format(after);
        }
    }

    /** Each matching event with this probability, drawn from the rule's seeded stream. */
    record Probability(double probability) implements FaultTrigger {
        public Probability {
            FaultPlanException.require(probability >= 0 && probability <= 1, "probability",
                    "must be between 0 and 1, got " + probability);
        }

        @Override
        public boolean fires(long occurrence, Duration sinceArmed, SplittableRandom random) {
            return random.nextDouble() < probability;
        }

        @Override
        public String describe() {
            return "probability " + probability;
        }
    }
}
