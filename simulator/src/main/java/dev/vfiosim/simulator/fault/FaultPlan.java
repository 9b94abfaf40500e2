package dev.vfiosim.simulator.fault;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A seed and an ordered list of rules. Order matters: for one event, the first rule (in plan order)
 * that fires is the fault; the seed makes every probability trigger repeatable.
 */
public record FaultPlan(long seed, List<FaultRule> rules) {
    /** The plan that never injects anything. */
    public static final FaultPlan EMPTY = new FaultPlan(0, List.of());

    public FaultPlan {
        rules = List.copyOf(rules);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            String id = rules.get(i).id();
            FaultPlanException.require(ids.add(id), "rules[" + i + "].id", "duplicate rule id \"" + id + "\"");
        }
    }

    /**
     * Whether a rule, armed now or later, can hold a thread back ({@code delay}) or keep a device
     * running past its P2P quiesce ({@code breakP2pQuiesce}): the server then keeps even a stopped
     * device's migration data off its reader. The rules are fixed for the plan's life, so the answer is too.
     */
    public boolean holdsBack() {
        return rules.stream().anyMatch(r -> r.what() instanceof FaultAction.Delay
                || r.what() instanceof FaultAction.BreakP2pQuiesce);
    }

    public Optional<FaultRule> rule(String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
