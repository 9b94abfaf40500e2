package dev.vfiosim.simulator.migration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a device migrates: who it is, which migration features it advertises, its small component
 * records and (optionally) its paged bulk state. This is how a device plugs into the stream.
 */
public record MigrationImage(DeviceIdentity identity, MigrationFeatures features,
        List<StateRecord> components, Optional<BulkState> bulk) {
    public MigrationImage {
        components = List.copyOf(components);
        Set<Integer> tags = new HashSet<>();
        for (StateRecord c : components) {
            requireFreeTag(tags, c.tag());
        }
        bulk.ifPresent(b -> requireFreeTag(tags, b.tag()));
    }

    private static void requireFreeTag(Set<Integer> tags, int tag) {
        if (tag == StreamLayout.END_TAG || !tags.add(tag)) {
            throw new IllegalArgumentException("record tag " + tag + " is END or used twice");
        }
    }

    /** Framed bytes of every component record as it would be written now. */
    long componentBytes() {
        long total = 0;
        for (StateRecord c : components) {
            total += c.snapshot().framedSize();
        }
        return total;
    }

    /** Framed bytes of a page record carrying this many pages (0 when there is nothing to carry). */
    long pageRecordBytes(long pages) {
        return bulk.isEmpty() || pages == 0
                ? 0 : StreamLayout.framedSize(PageRecord.payloadLength(pages, bulk.get().pages().pageSize()));
    }

    /** Size of a complete stop-copy-only stream: header, all pages, all components, END. */
    public long fullImageSize() {
        long pages = bulk.map(BulkState::pageCount).orElse(0);
        return StreamLayout.HEADER_SIZE + pageRecordBytes(pages) + componentBytes() + OutgoingRecord.END.framedSize();
    }

    /** One loader per record tag, for a resume session. */
    List<RecordLoader> loaders() {
        List<RecordLoader> loaders = new ArrayList<>();
        for (StateRecord c : components) {
            loaders.add(new StateRecordLoader(c));
        }
        bulk.ifPresent(b -> loaders.add(new PageRecord.Loader(b)));
        return loaders;
    }
}
