package dev.vfiosim.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vfiosim.simulator.device.DeviceMigration;
import dev.vfiosim.simulator.migration.StreamInspector;
import dev.vfiosim.simulator.migration.StreamInspector.Entry;
import dev.vfiosim.simulator.migration.StreamInspector.Report;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vfio-sim inspect FILE [--json]}: what a saved migration stream holds, and where and why it is broken. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Explain a saved migration stream (vfio-sim save): header, records with CRCs, pages, first problem. "
                + "Exit 0 if intact, 1 if truncated or corrupt.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Option(names = "--json", description = "The report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Report r;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            r = StreamInspector.inspect(in, DeviceMigration.streamVocabulary());
        } catch (IOException e) {
            System.err.println("inspect: " + file + ": " + e.getMessage());
            return 2;
        }
        System.out.print(json ? asJson(r) : asText(r));
        return r.intact() ? 0 : 1;
    }

    static String asJson(Report r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("header", r.header().orElse(null));
        List<Map<String, Object>> records = new ArrayList<>();
        for (Entry e : r.records()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("offset", e.offset());
            m.put("tag", e.tag());
            m.put("name", e.name());
            m.put("version", e.version());
            m.put("optional", e.optional());
            m.put("length", e.length());
            m.put("crcGood", e.crcGood().orElse(null));
            e.pages().ifPresent(p -> m.put("pages", p));
            e.pageSize().ifPresent(p -> m.put("pageSize", p));
            records.add(m);
        }
        d.put("records", records);
        d.put("bytes", r.bytes());
        d.put("totalPages", r.totalPages());
        d.put("intact", r.intact());
        d.put("problem", r.problem().orElse(null));
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(d) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String asText(Report r) {
        StringBuilder s = new StringBuilder();
        r.header().ifPresent(h -> s.append(String.format("stream: format %d, device %04x:%04x rev %d, features 0x%x%n",
                h.formatVersion(), h.vendorId(), h.deviceId(), h.modelRevision(), h.features())));
        s.append(String.format("%10s  %5s  %-14s %4s  %-9s %12s  %s%n", "offset", "tag", "name", "ver", "kind", "length", "crc"));
        for (Entry e : r.records()) {
            s.append(String.format("%10d  %5d  %-14s %4d  %-9s %12d  %s%s%n", e.offset(), e.tag(), e.name(), e.version(),
                    e.optional() ? "optional" : "mandatory", e.length(),
                    e.crcGood().map(g -> g ? "good" : "BAD").orElse("(missing)"),
                    e.pages().map(p -> "  " + p + " pages of " + e.pageSize().orElse(0)).orElse("")));
        }
        s.append(String.format("%d bytes, %d records, %d pages%n", r.bytes(), r.records().size(), r.totalPages()));
        s.append(r.problem().map(p -> "PROBLEM: " + p.fault() + " at stream byte " + p.offset()
                + (p.tag() >= 0 ? " (record tag " + p.tag() + ")" : "") + ": " + p.detail()).orElse("intact")).append('\n');
        return s.toString();
    }
}
