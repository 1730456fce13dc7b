package dev.profileservice.cli.internal.sim;

import dev.profileservice.cli.internal.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of a simulation run (text and JSON): the verdicts of {@link SimChecks} with the run's
 * settings, traffic, faults and timings. Built once, on the simulation's driving thread after every
 * server process has stopped, from the servers' audit records and events and the final store
 * contents. Immutable after {@link #build}.
 */
public final class SimReport {

    /** Everything the checks look at: the run's settings, what happened during it, and what the store holds after it. */
    record Input(
            SimConfig cfg, Path runDir, String maskedUri, String storeName, SimHistory history, FinalStore store) {}

    /** One check: a name, whether it passed, a one-line summary and up to 10 examples of failures. */
    public record Check(String name, boolean passed, String summary, List<String> failures) {}

    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();

    private SimReport() {}

    /** Whether every check passed. */
    public boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    /** The checks, in report order. */
    public List<Check> checks() {
        return List.copyOf(checks);
    }

    /** The report as a JSON-ready map. */
    public Map<String, Object> toJson() {
        return json;
    }

    /** The readable report. */
    public String toText() {
        return String.join("\n", lines) + "\n";
    }

    /** Runs the checks ({@link SimChecks}) and formats them with what the run did. */
    static SimReport build(Input in) {
        SimReport r = new SimReport();
        SimChecks k = new SimChecks(in);
        r.checks.addAll(k.checks);
        SimConfig cfg = in.cfg();
        SimHistory h = in.history();
        SimHistory.Storm storm = h.storm;
        long durationMs = cfg.duration().toMillis();

        // ---- JSON
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("store", in.maskedUri());
        config.put("profileStore", in.storeName());
        config.put("servers", cfg.servers());
        config.put("players", cfg.players());
        config.put("durationMs", durationMs);
        config.put("leaseMs", cfg.lease().toMillis());
        config.put("autoSaveMs", cfg.autoSave().toMillis());
        config.put("forceLoadTimeoutMs", cfg.forceLoadTimeout().toMillis());
        config.put("clockSkewMs", cfg.clockSkew().toMillis());
        config.put("latencyMs", cfg.latency().toMillis());
        config.put("jitterMs", cfg.jitter().toMillis());
        config.put("giftsPerSecond", cfg.giftsPerSecond());
        config.put(
                "faults", cfg.faultKinds().stream().map(FaultKind::configName).toList());
        config.put("rollbacksPerMinute", cfg.rollbacksPerMinute());
        config.put("wipes", cfg.wipes());
        config.put("rollbackCohort", PlayerDriver.cohortSize(cfg.players()));
        config.put("seed", cfg.seed());
        config.put("runDir", in.runDir().toString());
        Map<String, Object> traffic = new LinkedHashMap<>();
        traffic.put("joins", h.joins);
        traffic.put("hops", h.hops);
        traffic.put("handOvers", h.handovers);
        traffic.put(
                "edits",
                in.store().data().values().stream().mapToLong(d -> d.edits).sum());
        traffic.put("giftsSent", h.gifts.size());
        traffic.put("giftsAcknowledged", k.acked);
        traffic.put("savesAccepted", k.accepted);
        traffic.put("staleSavesRefused", k.refused);
        traffic.put("saveErrors", k.errors);
        traffic.put("gracefulReleasesChecked", k.gracefulChecked);
        traffic.put("takeoversWithoutFault", k.unexplained);
        traffic.put("sessionPairsAcrossRollbacks", k.rollbackResets);
        traffic.put("steals", k.steals);
        traffic.put("stealsBeforeOwnersLeaseExpired", k.earlySteals.count);
        traffic.put("earliestStealAfterLeaseExpiryMs", k.steals == 0 ? null : k.minMarginMs);
        traffic.put("issues", h.issueCount);
        Map<String, Object> faultJson = new LinkedHashMap<>();
        faultJson.put("kill9", h.count(FaultKind.KILL));
        faultJson.put("sigstop", h.count(FaultKind.FREEZE));
        faultJson.put("connectionCuts", h.count(FaultKind.CUT));
        faultJson.put("messageChannelCuts", h.count(FaultKind.BUS_CUT));
        faultJson.put("slowStores", h.count(FaultKind.SLOW));
        faultJson.put("primaryKills", h.count(FaultKind.PRIMARY_KILL));
        List<Map<String, Object>> faultList = new ArrayList<>();
        for (SimHistory.Fault f : h.faults) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", f.kind().label());
            m.put("server", f.job());
            m.put("atMs", f.at());
            m.put("forMs", f.until() - f.at());
            faultList.add(m);
        }
        faultJson.put("events", faultList);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("handOverMs", Stats.summary(k.handoverMs));
        Map<String, Object> duringFaults = new LinkedHashMap<>();
        k.handoverDuringFaultMs.forEach((kind, samples) -> duringFaults.put(kind.label(), Stats.summary(samples)));
        timings.put("handOverDuringFaultMs", duringFaults);
        timings.put("giftDeliveryMs", Stats.summary(k.giftDeliveryMs));
        Map<String, Object> giftsDuringFaults = new LinkedHashMap<>();
        k.giftDeliveryDuringFaultMs.forEach(
                (kind, samples) -> giftsDuringFaults.put(kind.label(), Stats.summary(samples)));
        timings.put("giftDeliveryDuringFaultMs", giftsDuringFaults);
        timings.put("stealAfterKillMs", Stats.summary(k.stealAfterKillMs));
        timings.put("stealAfterSigstopMs", Stats.summary(k.stealAfterFreezeMs));
        Map<String, Object> loss = new LinkedHashMap<>();
        putLoss(loss, "afterKill", k.afterCrash);
        putLoss(loss, "afterSteal", k.afterSteal);
        loss.put("boundMs", k.bound);
        Map<String, Object> giftJson = Json.object(
                "sent", h.gifts.size(),
                "acknowledged", k.acked,
                "appliedOnce", k.appliedOnce,
                "lost", k.lost,
                "duplicated", k.duplicated,
                "pending", k.pending,
                "unknown", k.unknown);
        if (storm != null) {
            giftJson.put(
                    "storm",
                    Map.of(
                            "key",
                            storm.key,
                            "gifts",
                            storm.gifts,
                            "failed",
                            storm.failed,
                            "joinsDuring",
                            storm.joins,
                            "millis",
                            storm.running() ? -1 : storm.endedAt - storm.startedAt));
        }
        Map<String, Object> rollbackJson = new LinkedHashMap<>();
        rollbackJson.put("done", k.admin.rollbacksDone);
        rollbackJson.put("whileOnline", k.admin.rollbacksOnline);
        rollbackJson.put("liveSessionsEnded", k.admin.sessionsEndedByRollback);
        rollbackJson.put("checked", k.admin.rollbacksChecked);
        rollbackJson.put("superseded", k.admin.rollbacksSuperseded);
        rollbackJson.put("unverified", k.admin.rollbacksUnverified);
        rollbackJson.put("failedWithoutWrite", k.admin.rollbacksFailed);
        rollbackJson.put("failedExamples", k.admin.rollbackErrors);
        rollbackJson.put("checkFailures", k.admin.rollbackFailures.count);
        Map<String, Object> wipeJson = new LinkedHashMap<>();
        wipeJson.put("done", k.admin.wipesDone);
        wipeJson.put("staleOverwritesRefused", k.admin.staleOverwritesRefused);
        wipeJson.put("failed", k.admin.wipesFailed);
        wipeJson.put("failedExamples", k.admin.wipeErrors);
        wipeJson.put("checkFailures", k.admin.wipeFailures.count);
        List<Map<String, Object>> checkJson = new ArrayList<>();
        for (Check c : r.checks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("passed", c.passed());
            m.put("summary", c.summary());
            m.put("failures", c.failures());
            checkJson.add(m);
        }
        r.json.put("result", r.passed() ? "PASS" : "FAIL");
        r.json.put("config", config);
        r.json.put("traffic", traffic);
        r.json.put("faults", faultJson);
        r.json.put("gifts", giftJson);
        r.json.put("rollbacks", rollbackJson);
        r.json.put("wipes", wipeJson);
        r.json.put("epochViolations", k.epochViolations.count);
        r.json.put("loss", loss);
        r.json.put("timings", timings);
        r.json.put("checks", checkJson);
        r.json.put("issues", h.issues);
        r.json.put("joinFailures", h.joinFailures);

        // ---- text
        List<String> t = r.lines;
        t.add(String.format(
                Locale.ROOT,
                "ProfileService simulation: %d servers, %d players, %.0f s on %s (profile store %s)",
                cfg.servers(),
                cfg.players(),
                durationMs / 1000.0,
                in.maskedUri(),
                in.storeName()));
        t.add(String.format(
                Locale.ROOT,
                "  lease %.1f s, auto-save %.1f s, force-load timeout %.1f s, server clocks %.1f s apart, seed %d;"
                        + " logs in %s",
                cfg.lease().toMillis() / 1000.0,
                cfg.autoSave().toMillis() / 1000.0,
                cfg.forceLoadTimeout().toMillis() / 1000.0,
                cfg.clockSkew().toMillis() / 1000.0,
                cfg.seed(),
                in.runDir()));
        t.add(String.format(
                Locale.ROOT,
                "Traffic: %d joins, %d hops (%d hand-overs from a live owner), %s edits, %d gifts sent (%d acknowledged)",
                h.joins,
                h.hops,
                h.handovers,
                traffic.get("edits"),
                h.gifts.size(),
                k.acked));
        t.add(String.format(
                Locale.ROOT,
                "Faults: kill -9 x%d, SIGSTOP x%d (%.1f s each), connection cut x%d%s, message channel cut x%d,"
                        + " store slower than the lease x%d, Redis primary killed x%d; store latency %d ms +/- %d ms",
                h.count(FaultKind.KILL),
                h.count(FaultKind.FREEZE),
                cfg.freezeFor().toMillis() / 1000.0,
                h.count(FaultKind.CUT),
                cfg.cut() && !StoreLinks.isServerStore(in.maskedUri()) ? " (not applicable to an embedded store)" : "",
                h.count(FaultKind.BUS_CUT),
                h.count(FaultKind.SLOW),
                h.count(FaultKind.PRIMARY_KILL),
                cfg.latency().toMillis(),
                cfg.jitter().toMillis()));
        t.add(String.format(
                Locale.ROOT,
                "Admin: %d rollbacks (%d while the player was online), %d failed without a write; %d wipes, %d failed;"
                        + " rollback cohort %d players (no gifts), %.1f rollbacks a minute",
                k.admin.rollbacksDone,
                k.admin.rollbacksOnline,
                k.admin.rollbacksFailed,
                k.admin.wipesDone,
                k.admin.wipesFailed,
                PlayerDriver.cohortSize(cfg.players()),
                cfg.rollbacksPerMinute()));
        for (String e : k.admin.rollbackErrors) {
            t.add("  rollback failed: " + e);
        }
        for (String e : k.admin.wipeErrors) {
            t.add("  wipe failed: " + e);
        }
        t.add("Checks:");
        for (Check c : r.checks) {
            t.add("  [" + (c.passed() ? "PASS" : "FAIL") + "] " + c.name() + ": " + c.summary());
            for (String f : c.failures()) {
                t.add("         " + f);
            }
        }
        t.add("Timings:");
        t.add("  hand-over latency (FORCE_LOAD, live owner): " + describe(k.handoverMs, true));
        k.handoverDuringFaultMs.forEach((kind, samples) ->
                t.add("  hand-over latency during a " + kind.label() + ": " + describe(samples, true)));
        t.add("  gift delivery to an online player (acknowledged to applied): " + describe(k.giftDeliveryMs, true));
        k.giftDeliveryDuringFaultMs.forEach((kind, samples) ->
                t.add("  gift delivery during a " + kind.label() + " (or a lease after): " + describe(samples, true)));
        t.add("  steal time after kill -9 (kill to loaded elsewhere): " + describe(k.stealAfterKillMs, false));
        t.add("  steal time after SIGSTOP (stop to loaded elsewhere): " + describe(k.stealAfterFreezeMs, false));
        if (k.steals > 0) {
            t.add(String.format(
                    Locale.ROOT,
                    "  steals: %d, earliest %.2f s after the owner's lease expired; %d before it (FORCE_LOAD timeout against a live owner)",
                    k.steals,
                    k.minMarginMs / 1000.0,
                    k.earlySteals.count));
            for (String s : k.earlySteals.examples) {
                t.add("    " + s);
            }
        }
        if (k.unexplained > 0) {
            t.add("Note: " + k.unexplained
                    + " session(s) were taken over without a fault on their server (slow heartbeat?)");
        }
        if (h.issueCount > 0) {
            t.add("Issues reported by the servers (" + h.issueCount + "):");
            for (String s : h.issues) {
                t.add("  " + s);
            }
        }
        if (!h.joinFailures.isEmpty()) {
            t.add("Failed joins (first " + h.joinFailures.size() + "):");
            for (String s : h.joinFailures) {
                t.add("  " + s);
            }
        }
        t.add("Result: " + (r.passed() ? "PASS" : "FAIL"));
        return r;
    }

    private static String describe(List<Double> samples, boolean p99) {
        if (samples.isEmpty()) {
            return "no samples";
        }
        return String.format(
                Locale.ROOT,
                "p50 %.0f ms, %s %.0f ms (n=%d)",
                Stats.percentile(samples, 50),
                p99 ? "p99" : "max",
                p99
                        ? Stats.percentile(samples, 99)
                        : samples.stream()
                                .mapToDouble(Double::doubleValue)
                                .max()
                                .orElse(0),
                samples.size());
    }

    /** The worst loss after one kind of fault, as {@code <prefix>WorstEdits}, {@code <prefix>WorstMs}, {@code <prefix>Sessions}. */
    private static void putLoss(Map<String, Object> json, String prefix, SimChecks.Loss loss) {
        json.put(prefix + "WorstEdits", loss.worstEdits);
        json.put(prefix + "WorstMs", loss.worstMs);
        json.put(prefix + "Sessions", loss.sessions);
    }

    /** JSON text of the report. */
    public String toJsonText() {
        return Json.pretty(json);
    }
}
