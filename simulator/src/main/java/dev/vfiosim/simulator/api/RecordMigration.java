package dev.vfiosim.simulator.api;

import dev.vfiosim.simulator.migration.MigrationImage;

/**
 * Migration in the project's style: the host writes and reads a framed, versioned, checksummed
 * stream (docs/migration.md) from the components the device declares in {@code image} — its
 * {@link dev.vfiosim.simulator.migration.StateRecord}s (typically
 * {@code CodecStateRecord}s of records annotated with {@code @StateRecordDeclaration}) and,
 * optionally, paged bulk state with dirty tracking. A resume is validated whole before anything is
 * applied. {@code transitions} hears of every arc (may be {@link MigrationTransitions#NONE}).
 */
public record RecordMigration(MigrationImage image, MigrationTransitions transitions) {
    public static RecordMigration of(MigrationImage image) {
        return new RecordMigration(image, MigrationTransitions.NONE);
    }
}
