package dev.vfiosim.cli;

import dev.vfiosim.fixtures.campaign.CampaignReport;
import dev.vfiosim.fixtures.campaign.CampaignReport.SeedResult;
import dev.vfiosim.fixtures.campaign.FaultCampaign;
import dev.vfiosim.fixtures.campaign.SeedRange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vfio-sim campaign --seeds=A-B}: the mini-VMM's seeded fault campaign over one range of
 * seeds, in this process, with a JUnit XML report. CI shards a campaign by giving each job its own
 * range; no scheduler of ours is involved.
 */
@Command(name = "campaign", mixinStandardHelpOptions = true,
        description = "Run the seeded fault campaign (a random fault plan per seed, a migration under it) over a seed "
                + "range; each seed must end identical or cleanly failed. Exit 0 when every seed held, 1 otherwise.")
final class CampaignCommand implements Callable<Integer> {
    @Option(names = "--seeds", required = true, paramLabel = "A-B", converter = SeedRangeConverter.class,
            description = "The seeds to run, A to B included (e.g. 1000-1999), or one seed; at most "
                    + SeedRange.MAX_SEEDS + ".")
    SeedRange seeds;

    @Option(names = "--junit-xml", paramLabel = "FILE",
            description = "Write a JUnit XML report: one testcase per seed, a failure with its reproduction line per seed "
                    + "that broke the invariant.")
    Path junitXml;

    @Option(names = "--corrupt-destination",
            description = "Self-test: flip a byte of the destination after each successful migration, so every such seed "
                    + "must be reported as a failure.")
    boolean corruptDestination;

    @Option(names = {"-v", "--verbose"}, description = "Log the devices' work at debug level.")
    boolean verbose;

    @Option(names = "--log-level", paramLabel = "LEVEL", converter = Options.LogLevel.class,
            description = "trace, debug, info, warn (the default for this command: the devices are chatty), error or off.")
    String logLevel;

    static final class SeedRangeConverter extends Options.Parsed<SeedRange> {
        SeedRangeConverter() {
            super(SeedRange::parse);
        }
    }

    @Override
    public Integer call() {
        FaultCampaign.Sabotage sabotage = corruptDestination ? FaultCampaign.Sabotage.CORRUPT_DESTINATION
                : FaultCampaign.Sabotage.NONE;
        CampaignReport report = new CampaignReport(seeds);
        for (long seed = seeds.first(); seed <= seeds.last(); seed++) {
            long t0 = System.nanoTime();
            SeedResult result;
            try {
                result = new SeedResult(seed, FaultCampaign.run(seed, sabotage), null, System.nanoTime() - t0);
            } catch (RuntimeException | AssertionError e) {
                result = new SeedResult(seed, null, e, System.nanoTime() - t0);
            }
            report.add(result);
            System.out.printf(Locale.ROOT, "seed %d: %s (%.1f s)%n", seed, describe(result), result.nanos() / 1e9);
            System.out.flush();
        }
        System.out.printf(Locale.ROOT, "seeds %s: %d identical, %d failed cleanly, %d broke the invariant, %d errors%n", seeds,
                report.count(FaultCampaign.Outcome.IDENTICAL), report.count(FaultCampaign.Outcome.FAILED_CLEANLY),
                report.failures(), report.errors());
        if (junitXml != null) {
            try {
                report.writeJUnitXml(junitXml);
            } catch (IOException e) {
                System.err.println("campaign: --junit-xml " + junitXml + ": cannot write the report: " + e.getMessage());
                return VfioSimCommand.EXIT_START_FAILED;
            }
        }
        return report.failures() + report.errors() == 0 ? 0 : VfioSimCommand.EXIT_START_FAILED;
    }

    private static String describe(SeedResult r) {
        if (r.problem() == null) {
            return r.outcome() == FaultCampaign.Outcome.IDENTICAL ? "identical" : "failed cleanly";
        }
        return (r.violated() ? "BROKE THE INVARIANT: " : "ERROR: ") + r.problem().getMessage() + "; reproduce: "
                + FaultCampaign.reproduction(r.seed());
    }
}
