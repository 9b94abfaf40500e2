package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.api.ContractFacts.GuestReference;
import dev.vfiosim.simulator.device.engine.CompletionQueueEntry;
import dev.vfiosim.simulator.device.engine.CompletionQueueState;
import dev.vfiosim.simulator.device.engine.EngineState;
import dev.vfiosim.simulator.device.engine.EventQueueState;
import dev.vfiosim.simulator.device.engine.ReceiveQueueState;
import dev.vfiosim.simulator.device.engine.SendQueueState;
import dev.vfiosim.simulator.device.engine.WorkQueueEntry;
import java.util.ArrayList;
import java.util.List;

/** The guest memory the function's state refers to, read from its own state records. */
final class StateGuestReferences {
    static final long PAGE = 4096;
    /** Doorbell records are one u32 the driver writes and the device reads. */
    static final long DOORBELL_RECORD = Integer.BYTES;

    private StateGuestReferences() {
    }

    static List<GuestReference> of(long commandQueue, EngineState state) {
        List<GuestReference> refs = new ArrayList<>();
        if (commandQueue != 0) {
            refs.add(new GuestReference("command queue", commandQueue, PAGE));
        }
        List<dev.vfiosim.simulator.device.engine.GuestPage> firmware = state.commands().firmwarePages();
        for (int i = 0; i < firmware.size(); i++) {
            refs.add(new GuestReference("firmware page " + i, firmware.get(i).iova(), PAGE));
        }
        for (EventQueueState eq : state.eventQueues()) {
            for (int i = 0; i < eq.pages().size(); i++) {
                refs.add(new GuestReference("EQ " + eq.number() + " page " + i, eq.pages().get(i).iova(),
                        PAGE << eq.logPageSize()));
            }
        }
        for (CompletionQueueState cq : state.completionQueues()) {
            refs.add(new GuestReference("CQ " + cq.number() + " ring", cq.ringIova(),
                    (long) CompletionQueueEntry.SIZE << cq.logSize()));
            refs.add(new GuestReference("CQ " + cq.number() + " doorbell record", cq.doorbellRecordIova(), DOORBELL_RECORD));
        }
        for (SendQueueState sq : state.sendQueues()) {
            refs.add(new GuestReference("SQ " + sq.number() + " ring", sq.ringIova(), (long) WorkQueueEntry.SIZE << sq.logSize()));
            refs.add(new GuestReference("SQ " + sq.number() + " doorbell record", sq.doorbellRecordIova(), DOORBELL_RECORD));
        }
        for (ReceiveQueueState rq : state.receiveQueues()) {
            refs.add(new GuestReference("RQ " + rq.number() + " ring", rq.ringIova(), (long) WorkQueueEntry.SIZE << rq.logSize()));
            refs.add(new GuestReference("RQ " + rq.number() + " doorbell record", rq.doorbellRecordIova(), DOORBELL_RECORD));
        }
        return refs;
    }
}
