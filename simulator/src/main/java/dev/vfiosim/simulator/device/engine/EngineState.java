package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.device.state.StateRecordDeclaration;
import java.util.List;

/**
 * Everything the device engine owns, as records a migration stream can carry: the command
 * interface and each queue's context with its indexes and counters. Taken and restored only while
 * the engine is paused. Doorbells latched but not yet processed are not part of it: after a
 * restore the engine treats every SQ as rung (a spurious doorbell finds nothing new to do).
 */
@StateRecordDeclaration(tag = 3, name = "engine")
public record EngineState(CommandInterfaceState commands, List<EventQueueState> eventQueues,
        List<CompletionQueueState> completionQueues, List<SendQueueState> sendQueues, List<ReceiveQueueState> receiveQueues) {
    public EngineState {
        eventQueues = List.copyOf(eventQueues);
        completionQueues = List.copyOf(completionQueues);
        sendQueues = List.copyOf(sendQueues);
        receiveQueues = List.copyOf(receiveQueues);
    }
}
