package dev.vfiosim.server.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.fault.FaultAction;
import dev.vfiosim.simulator.fault.FaultAction.CloseConnection;
import dev.vfiosim.simulator.fault.FaultAction.DmaError;
import dev.vfiosim.simulator.fault.FaultAction.DropInterrupt;
import dev.vfiosim.simulator.fault.FaultAction.FailArc;
import dev.vfiosim.simulator.fault.FaultAction.LieSize;
import dev.vfiosim.simulator.fault.FaultAction.OmitDirtyPages;
import dev.vfiosim.simulator.fault.FaultAction.ReplyErrno;
import dev.vfiosim.simulator.fault.FaultAction.ShortRead;
import dev.vfiosim.simulator.fault.FaultPlan;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FaultPlanParserTest {
    /** The page users read; its examples are the ones tested (surefire runs in the module directory). */
    static final Path DOCS = Path.of("..", "docs", "faults.md");

    static List<String> jsonBlocksOfDocs() throws IOException {
        Matcher m = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOCS));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void everyExampleInTheDocsParsesAndTogetherTheyShowEveryKind() throws IOException {
        List<String> blocks = jsonBlocksOfDocs();
        assertTrue(blocks.size() >= 17, "found " + blocks.size() + " json blocks");
        Set<Class<?>> sites = new HashSet<>();
        Set<Class<?>> triggers = new HashSet<>();
        Set<Class<?>> actions = new HashSet<>();
        Set<LieSize.Mode> lies = new HashSet<>();
        for (int i = 0; i < blocks.size(); i++) {
            FaultPlan plan = FaultPlanParser.parse(blocks.get(i), "faults.md block " + (i + 1));
            for (FaultRule r : plan.rules()) {
                sites.add(r.where().getClass());
                triggers.add(r.when().getClass());
                actions.add(r.what().getClass());
                if (r.what() instanceof LieSize l) {
                    lies.add(l.mode());
                }
            }
        }
        assertEquals(Set.of(FaultSite.class.getPermittedSubclasses()), sites, "every site kind has an example");
        assertEquals(Set.of(FaultTrigger.class.getPermittedSubclasses()), triggers, "every trigger has an example");
        assertEquals(Set.of(FaultAction.class.getPermittedSubclasses()), actions, "every action has an example");
        assertEquals(Set.of(LieSize.Mode.values()), lies, "every way of lying about a size has an example");
    }

    @Test
    void theFirstDocsExampleMeansWhatThePageSays() throws IOException {
        FaultPlan plan = FaultPlanParser.parse(jsonBlocksOfDocs().get(0), "faults.md");
        FaultPlan expected = new FaultPlan(42, List.of(
                new FaultRule("bar0-read-eio", CommandSite.of("REGION_READ").withRegion(0).withOffset(0x10), new Nth(3),
                        new ReplyErrno(Errno.EIO)),
                new FaultRule("p2p-stop-fails", new ArcSite("RUNNING_P2P", "STOP"), new Always(), new FailArc(true, Errno.EIO),
                        OptionalLong.of(1), true),
                new FaultRule("short-reads", StreamSite.of(StreamSide.SAVE).withState("STOP_COPY"), new Probability(0.25),
                        new ShortRead(512)),
                new FaultRule("lost-dma-write", DmaSite.of(DmaKind.WRITE).withRange(0x100000, 0x200000), new EveryNth(100),
                        new DmaError()),
                new FaultRule("lost-msix", InterruptSite.of(IrqType.MSIX).withVector(1), new After(Duration.ofSeconds(2)),
                        new DropInterrupt(), OptionalLong.of(5), true),
                new FaultRule("hang-up", new ConnectionSite(), new Nth(500), new CloseConnection(true), OptionalLong.empty(), false),
                new FaultRule("stuck-initial-bytes", new SizeReportSite(SizeKind.INITIAL_BYTES), new Always(),
                        LieSize.of(LieSize.Mode.FREEZE)),
                new FaultRule("lost-dirty-bits", new DirtyReportSite(), new Nth(2), OmitDirtyPages.count(1))));
        assertEquals(expected, plan);
    }

    @Test
    void readsAFileAndNamesItInErrors(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path file = dir.resolve("plan.json");
        Files.writeString(file, "{\"rules\": [{\"id\": \"r\", \"where\": \"connection\", \"what\": \"closeConnection\"}]}");
        assertEquals(1, FaultPlanParser.parse(file).rules().size());
        Files.writeString(file, "{\"rules\": []");
        InvalidFaultPlanException e = assertThrows(InvalidFaultPlanException.class, () -> FaultPlanParser.parse(file));
        assertTrue(e.getMessage().startsWith("plan.json:1:"), e.getMessage());
        assertFalse(e.getMessage().contains(dir.toString()), "the message names the file, not the machine's path");
    }

    /** Parses a plan that must be refused and returns the complaint. */
    private static InvalidFaultPlanException refused(String json) {
        return assertThrows(InvalidFaultPlanException.class, () -> FaultPlanParser.parse(json, "plan.json"));
    }

    private static void assertRefusal(String json, int line, int column, String path, String reasonStart) {
        InvalidFaultPlanException e = refused(json);
        assertEquals(path, e.path(), e.getMessage());
        assertTrue(e.reason().startsWith(reasonStart), e.getMessage());
        assertEquals(line + ":" + column, e.line() + ":" + e.column(), e.getMessage());
        assertTrue(e.getMessage().startsWith("plan.json:" + line + ":" + column + ": " + path + ": "), e.getMessage());
    }

    @Test
    void probabilityOutOfRange() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": {"command": "REGION_READ"},
                   "when": {"probability": 1.5}, "what": {"replyErrno": "EIO"}}
                ]}""", 3, 28, "rules[0].when.probability", "must be between 0 and 1, got 1.5");
    }

    @Test
    void unknownCommand() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": {"command": "REGION_REED"}, "what": {"replyErrno": "EIO"}}
                ]}""", 2, 36, "rules[0].where.command", "unknown vfio-user command \"REGION_REED\"");
    }

    @Test
    void unknownState() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": {"arc": {"from": "RUNING", "to": "STOP"}}, "what": "failArc"}
                ]}""", 2, 41, "rules[0].where.arc.from", "unknown migration state \"RUNING\"");
    }

    @Test
    void unknownErrno() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": {"command": "*"}, "what": {"replyErrno": "EWHAT"}}
                ]}""", 2, 65, "rules[0].what.replyErrno", "unknown value \"EWHAT\"; expected one of EPERM");
    }

    @Test
    void unknownField() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "wehre": "connection", "what": "closeConnection"}
                ]}""", 2, 24, "rules[0].wehre", "unknown field; expected one of armed, atMost, description, id, what, when, where");
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": {"command": "REGION_READ", "regoin": 7}, "what": "closeConnection"}
                ]}""", 2, 61, "rules[0].where.regoin", "unknown field; expected one of");
    }

    @Test
    void missingRequiredField() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": "connection"}
                ]}""", 2, 3, "rules[0].what", "required");
        assertRefusal("{\"seed\": 1}", 1, 1, "rules", "required");
    }

    @Test
    void durationWithoutUnit() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": "connection", "when": {"after": "100"}, "what": "closeConnection"}
                ]}""", 2, 56, "rules[0].when.after", "\"100\" is not a duration");
    }

    @Test
    void actionAtTheWrongSite() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": {"arc": {"from": "*", "to": "STOP"}},
                   "what": {"corrupt": {"xorMask": 1}}}
                ]}""", 3, 12, "rules[0].what", "corrupt applies to a stream site, not to this arc site");
    }

    @Test
    void actionNeedingAQualifierTheSiteLacks() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": {"stream": "save"}, "what": "truncate"}
                ]}""", 2, 24, "rules[0].where.byteOffset", "required by truncate");
    }

    @Test
    void duplicateIdsAndDuplicateKeys() {
        assertRefusal("""
                {"rules": [
                  {"id": "r", "where": "connection", "what": "closeConnection"},
                  {"id": "r", "where": "connection", "what": "closeConnection"}
                ]}""", 3, 10, "rules[1].id", "duplicate rule id \"r\"");
        InvalidFaultPlanException e = refused("{\"seed\": 1, \"seed\": 2, \"rules\": []}");
        assertTrue(e.reason().contains("Duplicate field 'seed'"), e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void wrongTypesAndRanges() {
        assertRefusal("{\"rules\": [{\"id\": 7, \"where\": \"connection\", \"what\": \"closeConnection\"}]}",
                1, 19, "rules[0].id", "must be a string, got 7");
        assertRefusal("{\"rules\": [{\"id\": \"r\", \"where\": \"connection\", \"when\": {\"nth\": 0}, \"what\": \"closeConnection\"}]}",
                1, 63, "rules[0].when.nth", "must be at least 1, got 0");
        assertRefusal("{\"rules\": [{\"id\": \"r\", \"where\": {\"command\": \"REGION_READ\", \"region\": -1}, \"what\": \"closeConnection\"}]}",
                1, 70, "rules[0].where.region", "must be between 0 and 2^64-1, got -1");
        assertRefusal("{\"rules\": [{\"id\": \"r\", \"where\": \"connection\", \"what\": \"closeConnection\", \"atMost\": 0}]}",
                1, 84, "rules[0].atMost", "must be at least 1, got 0");
        assertRefusal("{\"rules\": [{\"id\": \"r\", \"where\": {\"sizeReport\": \"stop_copy_length\"}, \"what\": {\"lieSize\": {\"fraction\": 2}}}]}",
                1, 102, "rules[0].what.lieSize.fraction", "must be above 0 and below 1, got 2.0");
    }

    @Test
    void twoKindsInOneSiteOrTrigger() {
        assertRefusal("{\"rules\": [{\"id\": \"r\", \"where\": {\"command\": \"VERSION\", \"arc\": {}}, \"what\": \"closeConnection\"}]}",
                1, 63, "rules[0].where.arc", "a single site per rule, and command is already given");
        assertRefusal("{\"rules\": [{\"id\": \"r\", \"where\": \"connection\", \"when\": {}, \"what\": \"closeConnection\"}]}",
                1, 55, "rules[0].when", "names no trigger; expected one of nth, everyNth, after, probability");
    }

    @Test
    void theParserKnowsEverySiteKindByTheModelsName() {
        InvalidFaultPlanException e = refused("{\"rules\": [{\"id\": \"r\", \"where\": {}, \"what\": \"dmaError\"}]}");
        for (Class<?> kind : FaultSite.class.getPermittedSubclasses()) {
            String name = FaultSite.kindOf(kind.asSubclass(FaultSite.class));
            assertTrue(e.reason().contains(name), name + " missing from: " + e.reason());
        }
    }

    @Test
    void syntaxErrorsCarryJacksonsLocation() {
        InvalidFaultPlanException e = refused("{\"rules\": [\n  {\"id\": \"r\",, }\n]}");
        assertEquals(2, e.line());
        assertTrue(e.reason().startsWith("not valid JSON"), e.getMessage());
    }

    @Test
    void hexAndIsoForms() {
        FaultPlan plan = FaultPlanParser.parse("""
                {"seed": -5, "rules": [{"id": "r", "where": {"dma": "read", "iovaStart": "0xffffffffffff0000"},
                  "when": {"after": "PT1.5S"}, "what": "dmaError"}]}""", "plan.json");
        FaultRule r = plan.rules().get(0);
        assertEquals(-5, plan.seed());
        assertEquals(0xffff_ffff_ffff_0000L, ((DmaSite) r.where()).iovaStart().getAsLong());
        assertEquals(new After(Duration.ofMillis(1500)), r.when());
    }

    @Test
    void errnoChoicesAreTheSimulatorsErrnos() {
        InvalidFaultPlanException e = refused("{\"rules\": [{\"id\": \"r\", \"where\": {\"command\": \"*\"}, \"what\": {\"replyErrno\": \"x\"}}]}");
        Arrays.stream(Errno.values()).forEach(errno -> assertTrue(e.reason().contains(errno.name()), errno.name()));
    }
}
