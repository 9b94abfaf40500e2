package dev.vfiosim.server.fault;

import dev.vfiosim.simulator.fault.FaultInjector;
import dev.vfiosim.simulator.fault.FaultInjector.RuleStatus;
import dev.vfiosim.simulator.fault.FiredFault;
import java.util.List;

/**
 * The commands of the fault control socket ({@code vfio-sim serve --faults plan.json
 * --fault-control PATH}): one line in, a reply out. Kept free of sockets so that it can be tested
 * alone; whoever owns the socket reads a line, calls {@link #execute} and writes the reply back.
 *
 * <p>Replies start with {@code ok} or {@code error:} and end with an empty line, so a client can
 * read one reply at a time ({@code echo list | socat - UNIX-CONNECT:PATH} shows it as it is).
 * A control socket rather than signals: a signal can only toggle everything, and the JVM reserves
 * the useful ones; a line can name a rule.
 */
public final class FaultControl {
    static final String HELP = "commands: list | arm <rule-id>|all | disarm <rule-id>|all | fired [count] | summary | help";
    private static final int DEFAULT_FIRED = 20;

    private final FaultInjector faults;

    public FaultControl(FaultInjector faults) {
        this.faults = faults;
    }

    /** Runs one command line and returns the reply, ending in an empty line. */
    public String execute(String line) {
        String[] words = line.trim().split("\\s+");
        try {
            return switch (words[0]) {
                case "list" -> noArgument(words, list());
                case "arm" -> arming(words, true);
                case "disarm" -> arming(words, false);
                case "fired" -> fired(words);
                case "summary" -> noArgument(words, "ok\n" + faults.summary());
                case "help" -> noArgument(words, "ok " + HELP + "\n");
                case "" -> error("empty command; " + HELP);
                default -> error("unknown command \"" + words[0] + "\"; " + HELP);
            } + "\n";
        } catch (IllegalArgumentException e) {
            return error(e.getMessage()) + "\n";
        }
    }

    private String list() {
        StringBuilder s = new StringBuilder("ok ").append(faults.status().size()).append(" rules\n");
        for (RuleStatus r : faults.status()) {
            s.append(r.rule().id()).append(r.armed() ? " armed" : " disarmed").append(" matched=").append(r.matched())
                    .append(" fired=").append(r.fired()).append(' ').append(r.rule().describe()).append('\n');
        }
        return s.toString();
    }

    private String arming(String[] words, boolean arm) {
        if (words.length != 2) {
            return error(words[0] + " takes one rule id, or all");
        }
        String target = words[1];
        if (target.equals("all")) {
            if (arm) {
                faults.armAll();
            } else {
                faults.disarmAll();
            }
        } else if (arm) {
            faults.arm(target);
        } else {
            faults.disarm(target);
        }
        return "ok " + target + (arm ? " armed" : " disarmed") + "\n";
    }

    private String fired(String[] words) {
        int count = DEFAULT_FIRED;
        if (words.length > 2) {
            return error("fired takes at most one number");
        }
        if (words.length == 2) {
            try {
                count = Integer.parseInt(words[1]);
            } catch (NumberFormatException e) {
                return error("fired takes a number of firings to show, got \"" + words[1] + "\"");
            }
            if (count < 0) {
                return error("fired takes a number of 0 or more, got " + count);
            }
        }
        List<FiredFault> all = faults.fired();
        List<FiredFault> last = all.subList(Math.max(0, all.size() - count), all.size());
        StringBuilder s = new StringBuilder("ok showing ").append(last.size()).append(" of ").append(all.size()).append(" recorded firings\n");
        last.forEach(f -> s.append(f.at()).append(' ').append(f.describe()).append('\n'));
        return s.toString();
    }

    private static String noArgument(String[] words, String reply) {
        return words.length == 1 ? reply : error(words[0] + " takes no argument");
    }

    private static String error(String reason) {
        return "error: " + reason + "\n";
    }
}
