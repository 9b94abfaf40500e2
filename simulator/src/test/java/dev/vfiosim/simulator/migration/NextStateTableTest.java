package dev.vfiosim.simulator.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every (current, requested) pair for each of the four feature combinations, against the paths in
 * the reference's tables (vfio-migration.md §2.5), written out here by hand: "." = same state, no
 * arc; "x" = -EINVAL; otherwise the states passed through, ending with the requested one. Columns
 * and rows are in uAPI value order: ERR STOP RUN SCOPY RESUME RP2P PRE PP2P.
 */
class NextStateTableTest {
    private static final String[][] ALL = {
        /* ERR    */ {".", "x", "x", "x", "x", "x", "x", "x"},
        /* STOP   */ {"x", ".", "RP2P RUN", "SCOPY", "RESUME", "RP2P", "RP2P RUN PRE", "RP2P PP2P"},
        /* RUN    */ {"x", "RP2P STOP", ".", "RP2P STOP SCOPY", "RP2P STOP RESUME", "RP2P", "PRE", "RP2P PP2P"},
        /* SCOPY  */ {"x", "STOP", "STOP RP2P RUN", ".", "STOP RESUME", "STOP RP2P", "x", "x"},
        /* RESUME */ {"x", "STOP", "STOP RP2P RUN", "STOP SCOPY", ".", "STOP RP2P", "STOP RP2P RUN PRE", "STOP RP2P PP2P"},
        /* RP2P   */ {"x", "STOP", "RUN", "STOP SCOPY", "STOP RESUME", ".", "RUN PRE", "PP2P"},
        /* PRE    */ {"x", "RUN RP2P STOP", "RUN", "PP2P SCOPY", "RUN RP2P STOP RESUME", "RUN RP2P", ".", "PP2P"},
        /* PP2P   */ {"x", "RP2P STOP", "RP2P RUN", "SCOPY", "RP2P STOP RESUME", "RP2P", "PRE", "."},
    };

    private static final String[][] STOP_COPY_P2P = {
        /* ERR    */ {".", "x", "x", "x", "x", "x", "x", "x"},
        /* STOP   */ {"x", ".", "RP2P RUN", "SCOPY", "RESUME", "RP2P", "x", "x"},
        /* RUN    */ {"x", "RP2P STOP", ".", "RP2P STOP SCOPY", "RP2P STOP RESUME", "RP2P", "x", "x"},
        /* SCOPY  */ {"x", "STOP", "STOP RP2P RUN", ".", "STOP RESUME", "STOP RP2P", "x", "x"},
        /* RESUME */ {"x", "STOP", "STOP RP2P RUN", "STOP SCOPY", ".", "STOP RP2P", "x", "x"},
        /* RP2P   */ {"x", "STOP", "RUN", "STOP SCOPY", "STOP RESUME", ".", "x", "x"},
        /* PRE    */ {"x", "x", "x", "x", "x", "x", ".", "x"},
        /* PP2P   */ {"x", "x", "x", "x", "x", "x", "x", "."},
    };

    private static final String[][] STOP_COPY_PRE_COPY = {
        /* ERR    */ {".", "x", "x", "x", "x", "x", "x", "x"},
        /* STOP   */ {"x", ".", "RUN", "SCOPY", "RESUME", "x", "RUN PRE", "x"},
        /* RUN    */ {"x", "STOP", ".", "STOP SCOPY", "STOP RESUME", "x", "PRE", "x"},
        /* SCOPY  */ {"x", "STOP", "STOP RUN", ".", "STOP RESUME", "x", "x", "x"},
        /* RESUME */ {"x", "STOP", "STOP RUN", "STOP SCOPY", ".", "x", "STOP RUN PRE", "x"},
        /* RP2P   */ {"x", "x", "x", "x", "x", ".", "x", "x"},
        /* PRE    */ {"x", "RUN STOP", "RUN", "SCOPY", "RUN STOP RESUME", "x", ".", "x"},
        /* PP2P   */ {"x", "x", "x", "x", "x", "x", "x", "."},
    };

    private static final String[][] STOP_COPY_ONLY = {
        /* ERR    */ {".", "x", "x", "x", "x", "x", "x", "x"},
        /* STOP   */ {"x", ".", "RUN", "SCOPY", "RESUME", "x", "x", "x"},
        /* RUN    */ {"x", "STOP", ".", "STOP SCOPY", "STOP RESUME", "x", "x", "x"},
        /* SCOPY  */ {"x", "STOP", "STOP RUN", ".", "STOP RESUME", "x", "x", "x"},
        /* RESUME */ {"x", "STOP", "STOP RUN", "STOP SCOPY", ".", "x", "x", "x"},
        /* RP2P   */ {"x", "x", "x", "x", "x", ".", "x", "x"},
        /* PRE    */ {"x", "x", "x", "x", "x", "x", ".", "x"},
        /* PP2P   */ {"x", "x", "x", "x", "x", "x", "x", "."},
    };

    private static final Map<String, MigrationState> SHORT = Map.of(
            "ERR", MigrationState.ERROR, "STOP", MigrationState.STOP, "RUN", MigrationState.RUNNING,
            "SCOPY", MigrationState.STOP_COPY, "RESUME", MigrationState.RESUMING,
            "RP2P", MigrationState.RUNNING_P2P, "PRE", MigrationState.PRE_COPY,
            "PP2P", MigrationState.PRE_COPY_P2P);

    private static final Map<MigrationFeatures, String[][]> EXPECTED = Map.of(
            MigrationFeatures.ALL, ALL,
            MigrationFeatures.WITH_P2P, STOP_COPY_P2P,
            MigrationFeatures.WITH_PRE_COPY, STOP_COPY_PRE_COPY,
            MigrationFeatures.STOP_COPY_ONLY, STOP_COPY_ONLY);

    private static List<MigrationState> parse(String cell) {
        List<MigrationState> states = new ArrayList<>();
        if (!cell.equals(".")) {
            for (String name : cell.split(" ")) {
                states.add(SHORT.get(name));
            }
        }
        return states;
    }

    @Test
    void pathsMatchTheReferenceForAllPairsAndAllFeatureCombinations() {
        int checked = 0;
        for (Map.Entry<MigrationFeatures, String[][]> combination : EXPECTED.entrySet()) {
            MigrationFeatures features = combination.getKey();
            for (MigrationState from : MigrationState.values()) {
                for (MigrationState to : MigrationState.values()) {
                    String cell = combination.getValue()[from.value()][to.value()];
                    String where = features + ": " + from + " -> " + to;
                    if (cell.equals("x")) {
                        DeviceException e = assertThrows(DeviceException.class,
                                () -> NextStateTable.path(from, to, features), where);
                        assertEquals(Errno.EINVAL, e.errno(), where);
                    } else {
                        assertEquals(parse(cell), NextStateTable.path(from, to, features), where);
                    }
                    checked++;
                }
            }
        }
        assertEquals(4 * 64, checked);
    }

    @Test
    void everyStepOfEveryPathIsAnArcTheUapiDefines() {
        for (MigrationFeatures features : EXPECTED.keySet()) {
            for (MigrationState from : MigrationState.values()) {
                for (MigrationState to : MigrationState.values()) {
                    List<MigrationState> path;
                    try {
                        path = NextStateTable.path(from, to, features);
                    } catch (DeviceException refused) {
                        continue;
                    }
                    MigrationState at = from;
                    for (MigrationState next : path) {
                        Arc.between(at, next);
                        at = next;
                    }
                }
            }
        }
    }

    @Test
    void blockedStopCopyToPreCopyIsRefusedImmediately() {
        assertEquals(MigrationState.ERROR, NextStateTable.cell(MigrationState.STOP_COPY, MigrationState.PRE_COPY));
        for (MigrationState target : List.of(MigrationState.PRE_COPY, MigrationState.PRE_COPY_P2P)) {
            DeviceException e = assertThrows(DeviceException.class,
                    () -> NextStateTable.nextStep(MigrationState.STOP_COPY, target, MigrationFeatures.ALL));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("forbids"), e.getMessage());
        }
    }

    @Test
    void onlyTheFourDefinedFeatureCombinationsExist() {
        for (long flags = 0; flags < 16; flags++) {
            boolean defined = flags == 1 || flags == 3 || flags == 5 || flags == 7;
            long f = flags;
            if (defined) {
                assertEquals(flags, new MigrationFeatures(f).flags());
            } else {
                assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> new MigrationFeatures(f)).errno());
            }
        }
    }

    @Test
    void stateValuesAreTheUapiNumbers() {
        String[] names = {"ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P", "PRE_COPY", "PRE_COPY_P2P"};
        for (int v = 0; v < names.length; v++) {
            assertEquals(names[v], MigrationState.ofValue(v).name());
            assertEquals(v, MigrationState.ofValue(v).value());
        }
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> MigrationState.ofValue(8)).errno());
        assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, () -> MigrationState.ofValue(-1)).errno());
    }
}
