package dev.vfiosim.simulator.migration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Arcs that only note which method ran, and throw on request: the state machine's test double. */
final class RecordingArcs implements MigrationArcs {
    final List<String> calls = new ArrayList<>();
    private final Map<String, RuntimeException> failures = new HashMap<>();

    RecordingArcs failOn(String method, RuntimeException failure) {
        failures.put(method, failure);
        return this;
    }

    private void run(String method) {
        calls.add(method);
        RuntimeException failure = failures.get(method);
        if (failure != null) {
            throw failure;
        }
    }

    @Override public void quiesceP2P() { run("quiesceP2P"); }
    @Override public void unquiesceP2P() { run("unquiesceP2P"); }
    @Override public void stopDevice() { run("stopDevice"); }
    @Override public void startDevice() { run("startDevice"); }
    @Override public void startPreCopy() { run("startPreCopy"); }
    @Override public void startStopCopy() { run("startStopCopy"); }
    @Override public void enterStopCopy() { run("enterStopCopy"); }
    @Override public void endSaving() { run("endSaving"); }
    @Override public void startResuming() { run("startResuming"); }
    @Override public void commitResume() { run("commitResume"); }
    @Override public void dropSessions() { run("dropSessions"); }
}
