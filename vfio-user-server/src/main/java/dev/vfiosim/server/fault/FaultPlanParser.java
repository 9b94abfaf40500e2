package dev.vfiosim.server.fault;

import dev.vfiosim.server.fault.PlanNode.Type;
import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.fault.DurationText;
import dev.vfiosim.simulator.fault.FaultAction;
import dev.vfiosim.simulator.fault.FaultAction.BreakP2pQuiesce;
import dev.vfiosim.simulator.fault.FaultAction.CloseConnection;
import dev.vfiosim.simulator.fault.FaultAction.CorruptStream;
import dev.vfiosim.simulator.fault.FaultAction.Delay;
import dev.vfiosim.simulator.fault.FaultAction.DmaError;
import dev.vfiosim.simulator.fault.FaultAction.DropInterrupt;
import dev.vfiosim.simulator.fault.FaultAction.DuplicateInterrupt;
import dev.vfiosim.simulator.fault.FaultAction.EarlyEnd;
import dev.vfiosim.simulator.fault.FaultAction.FailArc;
import dev.vfiosim.simulator.fault.FaultAction.LieSize;
import dev.vfiosim.simulator.fault.FaultAction.OmitDirtyPages;
import dev.vfiosim.simulator.fault.FaultAction.ReplyErrno;
import dev.vfiosim.simulator.fault.FaultAction.ShortRead;
import dev.vfiosim.simulator.fault.FaultAction.TemporaryEnd;
import dev.vfiosim.simulator.fault.FaultAction.TruncateStream;
import dev.vfiosim.simulator.fault.FaultAction.ZeroRead;
import dev.vfiosim.simulator.fault.FaultPlan;
import dev.vfiosim.simulator.fault.FaultPlanException;
import dev.vfiosim.simulator.fault.FaultRule;
import dev.vfiosim.simulator.fault.FaultSite;
import dev.vfiosim.simulator.fault.FaultSite.ArcSite;
import dev.vfiosim.simulator.fault.FaultSite.CommandSite;
import dev.vfiosim.simulator.fault.FaultSite.ConnectionSite;
import dev.vfiosim.simulator.fault.FaultSite.DirtyReportSite;
import dev.vfiosim.simulator.fault.FaultSite.DmaKind;
import dev.vfiosim.simulator.fault.FaultSite.DmaSite;
import dev.vfiosim.simulator.fault.FaultSite.InterruptSite;
import dev.vfiosim.simulator.fault.FaultSite.SizeKind;
import dev.vfiosim.simulator.fault.FaultSite.SizeReportSite;
import dev.vfiosim.simulator.fault.FaultSite.StreamSide;
import dev.vfiosim.simulator.fault.FaultSite.StreamSite;
import dev.vfiosim.simulator.fault.FaultTrigger;
import dev.vfiosim.simulator.fault.FaultTrigger.After;
import dev.vfiosim.simulator.fault.FaultTrigger.Always;
import dev.vfiosim.simulator.fault.FaultTrigger.EveryNth;
import dev.vfiosim.simulator.fault.FaultTrigger.Nth;
import dev.vfiosim.simulator.fault.FaultTrigger.Probability;
import dev.vfiosim.simulator.irq.IrqType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a fault plan file (schema: docs/faults.md) into a {@link FaultPlan}. Everything wrong is
 * refused with the file, line, column and JSON path of the value at fault: unknown fields, unknown
 * command/state/errno/irq names, missing fields, values of the wrong type or range, durations
 * without units, actions that mean nothing at their site. The checks on values belong to the model
 * (so the Java builder gets the same ones); this class only maps them back to where they were written.
 */
public final class FaultPlanParser {
    private static final Set<String> PLAN_FIELDS = Set.of("seed", "rules", "description");
    private static final Set<String> RULE_FIELDS = Set.of("id", "where", "when", "what", "atMost", "armed", "description");
    private static final List<String> SITE_KINDS =
            List.of("command", "arc", "stream", "dma", "interrupt", "connection", "sizeReport", "dirtyReport");
    /** Per site kind, the keys allowed beside the kind's own key. */
    private static final Map<String, Set<String>> SITE_QUALIFIERS = Map.of(
            "command", Set.of("region", "offset", "featureId", "irqIndex"),
            "arc", Set.of(),
            "stream", Set.of("byteOffset", "recordTag", "state"),
            "dma", Set.of("iovaStart", "iovaEnd"),
            "interrupt", Set.of("vector"),
            "sizeReport", Set.of());
    private static final List<String> TRIGGER_KINDS = List.of("nth", "everyNth", "after", "probability");
    /** Actions written as a bare string. */
    private static final Map<String, Supplier<FaultAction>> PLAIN_ACTIONS = Map.of(
            "zeroRead", ZeroRead::new,
            "earlyEnd", EarlyEnd::new,
            "temporaryEnd", TemporaryEnd::new,
            "truncate", TruncateStream::new,
            "dropInterrupt", DropInterrupt::new,
            "duplicateInterrupt", DuplicateInterrupt::new,
            "dmaError", DmaError::new,
            "closeConnection", () -> new CloseConnection(false),
            "failArc", () -> new FailArc(false, Errno.EIO));
    /** Actions written as {"name": value}. */
    private static final Map<String, Function<PlanNode, FaultAction>> VALUED_ACTIONS = Map.of(
            "replyErrno", v -> new ReplyErrno(errno(v)),
            "failArc", FaultPlanParser::failArc,
            "delay", v -> build(v, () -> new Delay(duration(v))),
            "shortRead", v -> params(v, Set.of("maxBytes"), () -> new ShortRead(v.require("maxBytes").unsigned31())),
            "corrupt", v -> params(v, Set.of("xorMask"), () -> new CorruptStream(v.require("xorMask").unsigned31())),
            "lieSize", FaultPlanParser::lieSize,
            "omitDirtyPages", FaultPlanParser::omitDirtyPages,
            "breakP2pQuiesce", v -> build(v, () -> new BreakP2pQuiesce(duration(v))),
            "closeConnection", v -> params(v, Set.of("midMessage"), () -> new CloseConnection(v.require("midMessage").bool())));

    private FaultPlanParser() {
    }

    /** Reads a plan file; the file's name is what error messages cite. */
    public static FaultPlan parse(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
    }

    /** Reads a plan from text; {@code source} names it in error messages. */
    public static FaultPlan parse(String json, String source) {
        PlanNode root = PlanNode.read(json, source);
        onlyFields(root, PLAN_FIELDS);
        PlanNode seed = root.field("seed");
        List<FaultRule> rules = new ArrayList<>();
        for (PlanNode rule : root.require("rules").elements()) {
            rules.add(rule(rule));
        }
        return build(root, () -> new FaultPlan(seed == null ? 0 : seed.signed64(), rules));
    }

    private static FaultRule rule(PlanNode rule) {
        onlyFields(rule, RULE_FIELDS);
        String id = rule.require("id").string();
        FaultSite where = site(rule.require("where"));
        PlanNode whenNode = rule.field("when");
        FaultTrigger when = whenNode == null ? new Always() : trigger(whenNode);
        FaultAction what = action(rule.require("what"));
        PlanNode atMost = rule.field("atMost");
        PlanNode armed = rule.field("armed");
        return build(rule, () -> new FaultRule(id, where, when, what,
                atMost == null ? OptionalLong.empty() : OptionalLong.of(atMost.unsigned64()),
                armed == null || armed.bool()));
    }

    private static FaultSite site(PlanNode where) {
        if (where.is(Type.STRING)) {
            return switch (where.string()) {
                case "connection" -> new ConnectionSite();
                case "dirtyReport" -> new DirtyReportSite();
                default -> throw where.wrong(SITE_KINDS.contains(where.string())
                        ? "a " + where.string() + " site takes parameters: write {\"" + where.string() + "\": ...}"
                        : "unknown site \"" + where.string() + "\"; expected one of " + String.join(", ", SITE_KINDS));
            };
        }
        String kind = onlyKind(where, SITE_KINDS, "site");
        if (!SITE_QUALIFIERS.containsKey(kind)) {
            throw where.field(kind).wrong("a " + kind + " site takes no parameters: write \"where\": \"" + kind + "\"");
        }
        onlyFields(where, union(Set.of(kind), SITE_QUALIFIERS.get(kind)));
        PlanNode v = where.field(kind);
        return build(where, () -> switch (kind) {
            case "command" -> new CommandSite(command(v), optionalInt(where, "region"), optionalLong(where, "offset"),
                    optionalInt(where, "featureId"), optionalInt(where, "irqIndex"));
            case "arc" -> params(v, Set.of("from", "to"), () -> new ArcSite(v.require("from").string(), v.require("to").string()));
            case "stream" -> new StreamSite(choice(v, StreamSide.class, FaultPlanParser::lower), optionalLong(where, "byteOffset"),
                    optionalInt(where, "recordTag"), Optional.ofNullable(where.field("state")).map(PlanNode::string));
            case "dma" -> new DmaSite(choice(v, DmaKind.class, FaultPlanParser::lower), optionalLong(where, "iovaStart"),
                    optionalLong(where, "iovaEnd"));
            case "interrupt" -> new InterruptSite(choice(v, IrqType.class, Enum::name), optionalInt(where, "vector"));
            default -> new SizeReportSite(choice(v, SizeKind.class, SizeKind::jsonName));
        });
    }

    private static FaultTrigger trigger(PlanNode when) {
        if (when.is(Type.STRING)) {
            if (!when.string().equals("always")) {
                throw when.wrong("a trigger written as a string can only be \"always\"; the others are {\"nth\": 3}, {\"everyNth\": 2},"
                        + " {\"after\": \"2s\"}, {\"probability\": 0.1}");
            }
            return new Always();
        }
        String kind = onlyKind(when, TRIGGER_KINDS, "trigger");
        onlyFields(when, Set.of(kind));
        PlanNode v = when.field(kind);
        return build(when, () -> switch (kind) {
            case "nth" -> new Nth(v.signed64());
            case "everyNth" -> new EveryNth(v.signed64());
            case "after" -> new After(duration(v));
            default -> new Probability(v.decimal());
        });
    }

    private static FaultAction action(PlanNode what) {
        if (what.is(Type.STRING)) {
            Supplier<FaultAction> plain = PLAIN_ACTIONS.get(what.string());
            if (plain == null) {
                throw what.wrong(VALUED_ACTIONS.containsKey(what.string())
                        ? what.string() + " takes a value: write {\"" + what.string() + "\": ...}"
                        : "unknown action \"" + what.string() + "\"; expected one of " + String.join(", ", actionNames()));
            }
            return plain.get();
        }
        String kind = onlyKind(what, actionNames(), "action");
        onlyFields(what, Set.of(kind));
        Function<PlanNode, FaultAction> valued = VALUED_ACTIONS.get(kind);
        if (valued == null) {
            throw what.field(kind).wrong(kind + " takes no value: write \"what\": \"" + kind + "\"");
        }
        return valued.apply(what.field(kind));
    }

    private static FaultAction failArc(PlanNode v) {
        return params(v, Set.of("toError", "errno"), () -> {
            PlanNode toError = v.field("toError");
            PlanNode errno = v.field("errno");
            return new FailArc(toError != null && toError.bool(), errno == null ? Errno.EIO : errno(errno));
        });
    }

    private static FaultAction lieSize(PlanNode v) {
        if (v.is(Type.STRING)) {
            LieSize.Mode mode = choice(v, LieSize.Mode.class, FaultPlanParser::lower);
            if (mode == LieSize.Mode.FRACTION || mode == LieSize.Mode.VALUE) {
                throw v.wrong(lower(mode) + " needs a number: write {\"lieSize\": {\"" + lower(mode) + "\": ...}}");
            }
            return LieSize.of(mode);
        }
        String kind = onlyKind(v, List.of("fraction", "value"), "size lie");
        onlyFields(v, Set.of(kind));
        return build(v, () -> kind.equals("fraction") ? LieSize.fractionOf(v.field(kind).decimal()) : LieSize.valueOf(v.field(kind).unsigned64()));
    }

    private static FaultAction omitDirtyPages(PlanNode v) {
        String kind = onlyKind(v, List.of("count", "fraction"), "amount of pages");
        onlyFields(v, Set.of(kind));
        return build(v, () -> kind.equals("count") ? OmitDirtyPages.count(v.field(kind).unsigned64())
                : OmitDirtyPages.fraction(v.field(kind).decimal()));
    }

    private static String command(PlanNode v) {
        String name = v.string();
        if (!name.equals(FaultSite.ANY) && Arrays.stream(Command.values()).noneMatch(c -> c.name().equals(name))) {
            throw v.wrong("unknown vfio-user command \"" + name + "\"; expected * or one of "
                    + Arrays.stream(Command.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
        return name;
    }

    private static Errno errno(PlanNode v) {
        return choice(v, Errno.class, Enum::name);
    }

    private static Duration duration(PlanNode v) {
        try {
            return DurationText.parse(v.string());
        } catch (IllegalArgumentException e) {
            throw v.wrong(e.getMessage());
        }
    }

    /** The enum constant spelled as {@code spelling} gives it, or a complaint listing the spellings. */
    private static <E extends Enum<E>> E choice(PlanNode v, Class<E> type, Function<E, String> spelling) {
        String text = v.string();
        for (E e : type.getEnumConstants()) {
            if (spelling.apply(e).equals(text)) {
                return e;
            }
        }
        throw v.wrong("unknown value \"" + text + "\"; expected one of "
                + Arrays.stream(type.getEnumConstants()).map(spelling).collect(Collectors.joining(", ")));
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static OptionalInt optionalInt(PlanNode object, String field) {
        PlanNode n = object.field(field);
        return n == null ? OptionalInt.empty() : OptionalInt.of(n.unsigned31());
    }

    private static OptionalLong optionalLong(PlanNode object, String field) {
        PlanNode n = object.field(field);
        return n == null ? OptionalLong.empty() : OptionalLong.of(n.unsigned64());
    }

    /** The one key of {@code node} that names a kind; complains about none or several. */
    private static String onlyKind(PlanNode node, List<String> kinds, String what) {
        List<String> given = node.fields().keySet().stream().filter(kinds::contains).toList();
        if (given.isEmpty()) {
            throw node.wrong("names no " + what + "; expected one of " + String.join(", ", kinds));
        }
        if (given.size() > 1) {
            throw node.field(given.get(1)).wrong("a single " + what + " per rule, and " + given.get(0) + " is already given");
        }
        return given.get(0);
    }

    private static void onlyFields(PlanNode object, Set<String> allowed) {
        for (Map.Entry<String, PlanNode> f : object.fields().entrySet()) {
            if (!allowed.contains(f.getKey())) {
                throw f.getValue().wrong("unknown field; expected " + (allowed.size() == 1 ? "" : "one of ")
                        + allowed.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
    }

    /** Builds a value from an object that must have only the given parameters. */
    private static <T> T params(PlanNode object, Set<String> allowed, Supplier<T> construct) {
        onlyFields(object, allowed);
        return build(object, construct);
    }

    /** Runs a model constructor, turning its complaint into one that points into the file. */
    private static <T> T build(PlanNode source, Supplier<T> construct) {
        try {
            return construct.get();
        } catch (FaultPlanException e) {
            PlanNode at = source.deepest(e.field());
            String path = e.field().isEmpty() ? source.path
                    : source.path.isEmpty() ? e.field() : source.path + (e.field().startsWith("[") ? "" : ".") + e.field();
            throw new InvalidFaultPlanException(at.source, at.line, at.column, path, e.reason());
        }
    }

    private static List<String> actionNames() {
        return Stream.concat(PLAIN_ACTIONS.keySet().stream(), VALUED_ACTIONS.keySet().stream()).distinct().sorted().toList();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
    }
}
