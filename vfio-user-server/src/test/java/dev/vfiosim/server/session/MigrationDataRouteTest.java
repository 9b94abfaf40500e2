package dev.vfiosim.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vfiosim.server.protocol.Command;
import dev.vfiosim.simulator.Errno;
import dev.vfiosim.simulator.VfioMigration;
import dev.vfiosim.simulator.fault.FaultAction;
import dev.vfiosim.simulator.fault.FaultPlan;
import dev.vfiosim.simulator.fault.FaultRule;
import dev.vfiosim.simulator.fault.FaultSite;
import dev.vfiosim.simulator.fault.FaultTrigger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Which migration data the reader may handle itself: a stopped device's, and only without a plan that can delay. */
class MigrationDataRouteTest {
    private static final int READ = Command.MIG_DATA_READ.code();
    private static final int WRITE = Command.MIG_DATA_WRITE.code();

    /** A device whose state and "may be held" answer the test sets; data calls are not made here. */
    private static final class StubMigration implements VfioMigration {
        int state = RUNNING;
        boolean held;

        @Override
        public long flags() {
            return 0x7;
        }

        @Override
        public int state() {
            return state;
        }

        @Override
        public void setState(int target) {
            throw new AssertionError("the test sets the state; the route only reads it");
        }

        @Override
        public long stopCopySize() {
            return 0;
        }

        @Override
        public PrecopyInfo precopyInfo() {
            return new PrecopyInfo(0, 0);
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new AssertionError("the route only decides");
        }

        @Override
        public void write(ByteBuffer src) {
            throw new AssertionError("the route only decides");
        }

        @Override
        public boolean dataMayBeHeld() {
            return held;
        }
    }

    private static FaultPlan planWith(FaultSite site, FaultAction action) {
        return new FaultPlan(1, List.of(new FaultRule("r", site, new FaultTrigger.Always(), action, OptionalLong.empty(), false)));
    }

    @Test
    void onlyAStopCopyReadAndAResumingWriteRunOnTheReader() {
        StubMigration m = new StubMigration();
        MigrationDataRoute route = new MigrationDataRoute(m, FaultPlan.EMPTY);
        for (int state = VfioMigration.ERROR; state <= VfioMigration.PRE_COPY_P2P; state++) {
            m.state = state;
            assertEquals(state == VfioMigration.STOP_COPY, route.onReader(READ), "MIG_DATA_READ in state " + state);
            assertEquals(state == VfioMigration.RESUMING, route.onReader(WRITE), "MIG_DATA_WRITE in state " + state);
        }
    }

    @Test
    void aPlanThatCanDelayOrBreakTheQuiesceKeepsDataOnTheWorkerEvenDisarmed() {
        StubMigration m = new StubMigration();
        List<FaultPlan> holding = List.of(
                planWith(FaultSite.StreamSite.of(FaultSite.StreamSide.SAVE), new FaultAction.Delay(Duration.ofMillis(1))),
                planWith(new FaultSite.ConnectionSite(), new FaultAction.Delay(Duration.ZERO)),
                planWith(new FaultSite.ArcSite("RUNNING", "RUNNING_P2P"), new FaultAction.BreakP2pQuiesce(Duration.ofMillis(5))));
        for (FaultPlan plan : holding) {
            MigrationDataRoute route = new MigrationDataRoute(m, plan);
            m.state = VfioMigration.STOP_COPY;
            assertFalse(route.onReader(READ), plan.toString());
            m.state = VfioMigration.RESUMING;
            assertFalse(route.onReader(WRITE), plan.toString());
        }
        // a plan that only fails things does not hold a thread back
        MigrationDataRoute failing = new MigrationDataRoute(m,
                planWith(FaultSite.StreamSite.of(FaultSite.StreamSide.RESUME), new FaultAction.ReplyErrno(Errno.EIO)));
        assertEquals(true, failing.onReader(WRITE));
    }

    @Test
    void aDeviceWhoseDataMayBeHeldKeepsItOnTheWorker() {
        StubMigration m = new StubMigration();
        MigrationDataRoute route = new MigrationDataRoute(m, FaultPlan.EMPTY);
        m.state = VfioMigration.STOP_COPY;
        m.held = true;
        assertFalse(route.onReader(READ));
        m.held = false;
        assertEquals(true, route.onReader(READ));
    }
}
