package dev.vfiosim.server.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.fault.FaultEvent.CommandEvent;
import dev.vfiosim.simulator.fault.FaultInjector;
import org.junit.jupiter.api.Test;

class FaultControlTest {
    private final FaultInjector faults = new FaultInjector(FaultPlanParser.parse("""
            {"rules": [
              {"id": "eio", "where": {"command": "REGION_READ"}, "what": {"replyErrno": "EIO"}},
              {"id": "later", "where": "connection", "what": "closeConnection", "armed": false}
            ]}""", "plan.json"));
    private final FaultControl control = new FaultControl(faults);

    @Test
    void listShowsArmingAndCounts() {
        faults.check(CommandEvent.of("REGION_READ"));
        assertEquals("""
                ok 2 rules
                eio armed matched=1 fired=1 command REGION_READ | always | reply EIO
                later disarmed matched=0 fired=0 connection | always | close the connection

                """, control.execute("list"));
    }

    @Test
    void armAndDisarmByIdAndAll() {
        assertEquals("ok later armed\n\n", control.execute("arm later"));
        assertTrue(faults.status().get(1).armed());
        assertEquals("ok eio disarmed\n\n", control.execute("  disarm   eio "));
        assertFalse(faults.status().get(0).armed());
        assertEquals("ok all disarmed\n\n", control.execute("disarm all"));
        assertFalse(faults.active());
        assertEquals("ok all armed\n\n", control.execute("arm all"));
        assertTrue(faults.status().stream().allMatch(FaultInjector.RuleStatus::armed));
    }

    @Test
    void firedShowsTheLastFirings() {
        for (int i = 0; i < 3; i++) {
            faults.check(CommandEvent.regionAccess("REGION_READ", 0, i, 4));
        }
        String reply = control.execute("fired 2");
        assertTrue(reply.startsWith("ok showing 2 of 3 recorded firings\n"), reply);
        assertTrue(reply.contains("fault #2 rule eio hit REGION_READ region 0 [0x1 +4]: reply EIO"), reply);
        assertTrue(reply.contains("fault #3 rule eio"), reply);
        assertFalse(reply.contains("fault #1 "), reply);
        assertTrue(reply.endsWith("\n\n"), reply);
    }

    @Test
    void mistakesAreErrorsAndChangeNothing() {
        assertEquals("error: no rule \"nope\" in the plan; rules: eio, later\n\n", control.execute("arm nope"));
        assertEquals("error: arm takes one rule id, or all\n\n", control.execute("arm"));
        assertTrue(control.execute("frobnicate").startsWith("error: unknown command \"frobnicate\"; commands: list"));
        assertTrue(control.execute("").startsWith("error: empty command"));
        assertEquals("error: fired takes a number of firings to show, got \"x\"\n\n", control.execute("fired x"));
        assertEquals("error: list takes no argument\n\n", control.execute("list all"));
        assertFalse(faults.status().get(1).armed());
    }

    @Test
    void summaryAndHelp() {
        assertTrue(control.execute("summary").startsWith("ok\nfault summary: 2 rules, 0 firings (seed 0)\n"));
        assertEquals("ok " + FaultControl.HELP + "\n\n", control.execute("help"));
    }
}
