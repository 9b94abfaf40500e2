package dev.vfiosim.simulator.migration;

import dev.vfiosim.simulator.migration.StreamException.Fault;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Loads a {@link StateRecord}: gathers its (small, bounded) payload and stages it once the
 * checksum has matched, so a component never sees unverified bytes.
 */
final class StateRecordLoader implements RecordLoader {
    /** Small records are buffered whole; anything bigger must be a streaming component. */
    static final int MAX_PAYLOAD = 1 << 20;

    private final StateRecord component;
    private ByteBuffer payload;
    private int payloadVersion;
    private boolean received;

    StateRecordLoader(StateRecord component) {
        this.component = component;
    }

    @Override
    public int tag() {
        return component.tag();
    }

    @Override
    public String name() {
        return component.name();
    }

    @Override
    public int version() {
        return component.version();
    }

    @Override
    public void begin(int version, long length) {
        if (length > MAX_PAYLOAD) {
            throw new Rejected(Fault.RECORD_TOO_LARGE, "a component record of " + length
                    + " bytes exceeds the " + MAX_PAYLOAD + "-byte limit");
        }
        payloadVersion = version;
        payload = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void accept(ByteBuffer piece) {
        payload.put(piece);
    }

    @Override
    public void end() {
        component.stage(payloadVersion, payload.flip());
        if (payload.hasRemaining()) {
            throw new Rejected(Fault.MALFORMED_RECORD, payload.remaining() + " payload bytes left unread");
        }
        payload = null;
        received = true;
    }

    @Override
    public String missing() {
        return received || component.optional() ? null : name() + " record (tag " + tag() + ") never received";
    }

    @Override
    public void commit() {
        component.commit();
    }

    @Override
    public void discard() {
        payload = null;
        component.discard();
    }
}
