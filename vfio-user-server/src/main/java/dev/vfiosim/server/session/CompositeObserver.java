package dev.vfiosim.server.session;

import java.nio.ByteBuffer;
import java.util.List;

/** Several observers (trace and metrics) behind the session's single observer field. */
public final class CompositeObserver implements MessageObserver {
    private final MessageObserver[] observers;

    private CompositeObserver(MessageObserver[] observers) {
        this.observers = observers;
    }

    /** {@code null} for none (so that the session's check stays a null test), the one itself for one. */
    public static MessageObserver of(List<MessageObserver> observers) {
        List<MessageObserver> present = observers.stream().filter(o -> o != null).toList();
        if (present.isEmpty()) {
            return null;
        }
        return present.size() == 1 ? present.get(0) : new CompositeObserver(present.toArray(MessageObserver[]::new));
    }

    @Override
    public void command(ByteBuffer header, ByteBuffer payload, int fdCount) {
        for (MessageObserver o : observers) {
            o.command(header, payload, fdCount);
        }
    }

    @Override
    public void reply(ByteBuffer header, ByteBuffer body, int fdCount, long serviceNanos) {
        for (MessageObserver o : observers) {
            o.reply(header, body, fdCount, serviceNanos);
        }
    }

    @Override
    public void noReply(ByteBuffer commandHeader, int errno, long serviceNanos) {
        for (MessageObserver o : observers) {
            o.noReply(commandHeader, errno, serviceNanos);
        }
    }

    @Override
    public void clientReply(ByteBuffer header, ByteBuffer payload, int fdCount) {
        for (MessageObserver o : observers) {
            o.clientReply(header, payload, fdCount);
        }
    }

    @Override
    public void serverRequest(ByteBuffer header, ByteBuffer body, dev.vfiosim.server.protocol.DmaTransfer layout) {
        for (MessageObserver o : observers) {
            o.serverRequest(header, body, layout);
        }
    }

    @Override
    public void interrupt(String type, int vector, boolean delivered) {
        for (MessageObserver o : observers) {
            o.interrupt(type, vector, delivered);
        }
    }

    @Override
    public void interruptHeld(String type, int vector) {
        for (MessageObserver o : observers) {
            o.interruptHeld(type, vector);
        }
    }

    @Override
    public void dmaFault(long iova, long length, boolean write, String why) {
        for (MessageObserver o : observers) {
            o.dmaFault(iova, length, write, why);
        }
    }
}
