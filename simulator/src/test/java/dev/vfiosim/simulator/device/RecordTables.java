package dev.vfiosim.simulator.device;

import dev.vfiosim.simulator.device.bulk.BulkStateHeader;
import dev.vfiosim.simulator.device.engine.EngineState;
import dev.vfiosim.simulator.device.state.CodecStateRecord;
import dev.vfiosim.simulator.device.state.RecordCodec;
import dev.vfiosim.simulator.device.state.StateRecordDeclaration;
import java.util.ArrayList;
import java.util.List;

/**
 * The field tables of the function's records for docs/migration.md, printed from the codec so the
 * document says what the bytes are (VersionedRecordTest checks the document still contains them).
 * Print them after changing a record ({@code mvn -B -o -q -pl simulator test-compile} first):
 * {@code java -cp simulator/target/classes:simulator/target/test-classes dev.vfiosim.simulator.device.RecordTables}.
 */
public final class RecordTables {
    /** Every record type the function writes, newest layouts, in tag order; older layouts follow from their declarations. */
    public static final List<Class<? extends Record>> TYPES = List.of(InitializationSegment.SegmentState.class,
            RunningClock.ClockState.class, EngineState.class, BulkStateHeader.class, Mlx5StateRecords.DeviceMemoryImage.class,
            Mlx5StateRecords.SourceDescription.class);

    /** Newest and older layouts alike. */
    public static final List<Class<? extends Record>> DOCUMENTED = documented();

    private RecordTables() {
    }

    @SuppressWarnings("unchecked")
    private static List<Class<? extends Record>> documented() {
        List<Class<? extends Record>> all = new ArrayList<>();
        for (Class<? extends Record> type : TYPES) {
            all.add(type);
            for (Class<?> older : CodecStateRecord.declarationOf(type).olderLayouts()) {
                all.add((Class<? extends Record>) older);
            }
        }
        return all;
    }

    public static void main(String[] args) {
        for (Class<? extends Record> type : TYPES) {
            StateRecordDeclaration d = CodecStateRecord.declarationOf(type);
            System.out.println("#### Tag " + d.tag() + ": " + d.name() + " (`" + type.getSimpleName() + "`), version "
                    + d.version() + (d.optional() ? ", optional" : ", mandatory") + "\n");
            System.out.println(RecordCodec.describe(type));
            Class<?>[] older = d.olderLayouts();
            for (int k = older.length - 1; k >= 0; k--) {
                System.out.println("Version " + (k + 1) + " (`" + older[k].getSimpleName() + "`):\n");
                @SuppressWarnings("unchecked")
                Class<? extends Record> layout = (Class<? extends Record>) older[k];
                System.out.println(RecordCodec.describe(layout));
            }
        }
    }
}
