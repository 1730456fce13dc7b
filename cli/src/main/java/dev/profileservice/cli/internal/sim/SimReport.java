package dev.profileservice.cli.internal.sim;

import dev.profileservice.cli.internal.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The checks of a simulation run and their report (text and JSON). Built once, after every server
 * process has stopped, from the servers' audit records and events and the final store contents.
 * Immutable after {@link #build}.
 */
public final class SimReport {

    /** Everything the checks look at: the run's settings, what happened during it, and what the store holds after it. */
    record Input(
            SimConfig cfg, Path runDir, String maskedUri, String storeName, SimHistory history, FinalStore store) {}

    /** One check: a name, whether it passed, a one-line summary and up to 10 examples of failures. */
    public record Check(String name, boolean passed, String summary, List<String> failures) {}

    private static final int EXAMPLES = 10;

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

    static SimReport build(Input in) {
        SimReport r = new SimReport();
        SimConfig cfg = in.cfg();
        SimHistory h = in.history();
        long durationMs = cfg.duration().toMillis();

        // ---- gifts: every acknowledged gift applied exactly once
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        in.store().data().forEach((key, data) -> {
            Map<String, Integer> c = new HashMap<>();
            for (String g : data.gifts) {
                c.merge(g, 1, Integer::sum);
            }
            counts.put(key, c);
        });
        long acked = 0;
        long appliedOnce = 0;
        long lost = 0;
        long pending = 0;
        long duplicated = 0;
        long unackedApplied = 0;
        List<String> giftFailures = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (SimHistory.Gift g : h.gifts.values()) {
            known.add(g.id);
            int n = counts.getOrDefault(g.key, Map.of()).getOrDefault(g.id, 0);
            boolean isAcked = Boolean.TRUE.equals(g.acked);
            if (isAcked) {
                acked++;
            }
            if (n > 1) {
                duplicated++;
                add(giftFailures, "gift " + g.id + " to " + g.key + " applied " + n + " times");
            } else if (n == 1) {
                if (isAcked) {
                    appliedOnce++;
                } else {
                    unackedApplied++;
                }
            } else if (isAcked) {
                if (in.store().pendingUpdates().getOrDefault(g.key, 0) > 0) {
                    pending++;
                    add(
                            giftFailures,
                            "gift " + g.id + " to " + g.key
                                    + " acknowledged but still pending in the store after the drain");
                } else {
                    lost++;
                    add(
                            giftFailures,
                            "gift " + g.id + " to " + g.key + " acknowledged but not in the data nor pending: LOST");
                }
            }
        }
        long unknown = 0;
        for (Map.Entry<String, Map<String, Integer>> e : counts.entrySet()) {
            for (String g : e.getValue().keySet()) {
                if (!known.contains(g)) {
                    unknown++;
                    add(giftFailures, "gift id " + g + " in " + e.getKey() + " was never sent");
                }
            }
        }
        for (String err : in.store().viewErrors()) {
            add(giftFailures, "viewProfile failed: " + err);
        }
        boolean giftsOk = lost == 0
                && duplicated == 0
                && pending == 0
                && unknown == 0
                && in.store().viewErrors().isEmpty();
        r.checks.add(new Check(
                "gifts applied exactly once",
                giftsOk,
                String.format(
                        Locale.ROOT,
                        "%d sent, %d acknowledged, %d applied once, %d lost, %d duplicated, %d still pending%s",
                        h.gifts.size(),
                        acked,
                        appliedOnce,
                        lost,
                        duplicated,
                        pending,
                        unackedApplied > 0 ? ", " + unackedApplied + " unacknowledged applied once (allowed)" : ""),
                giftFailures));

        // ---- the storm: many gifts to one player at once, who changes servers meanwhile
        SimHistory.Storm storm = h.storm;
        if (storm != null) {
            boolean over = !storm.running();
            // the joins are reported, not required: a fault may hold the player on a frozen server for the whole storm
            r.checks.add(new Check(
                    "storm: every send to the popular player succeeded",
                    over && storm.failed == 0,
                    String.format(
                            Locale.ROOT,
                            "%d gifts to %s from %d threads in %.1f s, %d failed; the player"
                                    + " joined a server %d times meanwhile%s",
                            storm.gifts,
                            storm.key,
                            GiftSender.STORM_THREADS,
                            ((over ? storm.endedAt : storm.startedAt) - storm.startedAt) / 1000.0,
                            storm.failed,
                            storm.joins,
                            over ? "" : "; the storm never ended"),
                    List.of()));
        }

        // ---- fencing: no accepted save from a session that had lost the profile
        long accepted = 0;
        long refused = 0;
        long errors = 0;
        Set<String> acceptedRelease = new HashSet<>();
        Failures epochViolations = new Failures();
        for (Map.Entry<String, List<SimHistory.Save>> e : h.saves.entrySet()) {
            String key = e.getKey();
            List<SimHistory.Acq> acqs = new ArrayList<>(h.acquires.getOrDefault(key, List.of()));
            acqs.sort(Comparator.comparingLong(SimHistory.Acq::t1));
            long[] ends = new long[acqs.size()];
            long[] maxEpoch = new long[acqs.size()];
            long running = Long.MIN_VALUE;
            for (int i = 0; i < acqs.size(); i++) {
                ends[i] = acqs.get(i).t1();
                running = Math.max(running, acqs.get(i).epoch());
                maxEpoch[i] = running;
            }
            for (SimHistory.Save s : e.getValue()) {
                switch (s.status()) {
                    case "SAVED" -> {
                        accepted++;
                        if (s.release()) {
                            acceptedRelease.add(key + "#" + s.epoch());
                        }
                        int idx = lastBefore(ends, s.t0());
                        if (idx >= 0 && maxEpoch[idx] > s.epoch()) {
                            epochViolations.add(String.format(
                                    Locale.ROOT,
                                    "%s: save by %s with epoch %d accepted, but epoch %d had been acquired %.1f ms before it started",
                                    key,
                                    s.job(),
                                    s.epoch(),
                                    maxEpoch[idx],
                                    (s.t0() - ends[idx]) / 1000.0));
                        }
                    }
                    case "LOST_SESSION" -> refused++;
                    case "ERROR" -> errors++;
                    default -> {}
                }
            }
        }
        for (Map.Entry<String, List<SimHistory.Acq>> e : h.acquires.entrySet()) {
            Map<Long, String> byEpoch = new HashMap<>();
            for (SimHistory.Acq a : e.getValue()) {
                String other = byEpoch.put(a.epoch(), a.job());
                if (other != null) {
                    epochViolations.add(e.getKey() + ": epoch " + a.epoch() + " acquired twice (" + other + " and "
                            + a.job() + ")");
                }
            }
        }
        r.checks.add(new Check(
                "no save accepted from a session that had lost the profile",
                epochViolations.none(),
                String.format(
                        Locale.ROOT,
                        "%d saves accepted in epoch order, %d violations; %d stale saves refused by the store, %d saves failed (store errors)",
                        accepted,
                        epochViolations.count,
                        refused,
                        errors),
                epochViolations.examples));

        // ---- sessions per key in epoch order: hops, losses, regressions
        Map<String, List<SimHistory.Fault>> faultsByJob = new HashMap<>();
        for (SimHistory.Fault f : h.faults) {
            faultsByJob.computeIfAbsent(f.job(), x -> new ArrayList<>()).add(f);
        }
        Map<String, TreeMap<Long, SimHistory.SessionRec>> byKey = new TreeMap<>();
        for (SimHistory.SessionRec s : h.sessions.values()) {
            byKey.computeIfAbsent(s.key, x -> new TreeMap<>()).put(s.epoch, s);
        }
        long gracefulChecked = 0;
        Failures hopMismatches = new Failures();
        Failures regressions = new Failures();
        Failures lossViolations = new Failures();
        Loss afterCrash = new Loss();
        Loss afterSteal = new Loss();
        long unexplained = 0;
        long bound = cfg.autoSave().toMillis() + cfg.lossSlack().toMillis();
        List<Double> handoverMs = new ArrayList<>();
        List<Double> stealAfterKillMs = new ArrayList<>();
        List<Double> stealAfterFreezeMs = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Long, SimHistory.SessionRec>> e : byKey.entrySet()) {
            String key = e.getKey();
            SimHistory.SessionRec prev = null;
            for (SimHistory.SessionRec b : e.getValue().values()) {
                if (b.loaded >= 0 && b.kind != null) {
                    switch (b.kind) {
                        case HANDOVER -> handoverMs.add(b.joinMs);
                        case AFTER_KILL -> stealAfterKillMs.add((double) (b.joinedAt - b.faultAt));
                        case AFTER_FREEZE -> stealAfterFreezeMs.add((double) (b.joinedAt - b.faultAt));
                        default -> {}
                    }
                }
                SimHistory.SessionRec a = prev;
                prev = b;
                if (a == null || b.epoch != a.epoch + 1 || a.loaded < 0 || b.loaded < 0) {
                    continue;
                }
                if (b.loaded < a.loaded) {
                    regressions.add(String.format(
                            Locale.ROOT,
                            "%s: epoch %d (%s) loaded %d edits, fewer than epoch %d (%s) had loaded (%d)",
                            key,
                            b.epoch,
                            b.job,
                            b.loaded,
                            a.epoch,
                            a.job,
                            a.loaded));
                }
                if (releasedGracefully(acceptedRelease, a)) {
                    gracefulChecked++;
                    if (b.loaded != a.endedCounter) {
                        hopMismatches.add(String.format(
                                Locale.ROOT,
                                "%s: %s released epoch %d with %d edits, %s loaded %d (%+d)",
                                key,
                                a.job,
                                a.epoch,
                                a.endedCounter,
                                b.job,
                                b.loaded,
                                b.loaded - a.endedCounter));
                    }
                    continue;
                }
                SimHistory.Fault fault = lastFaultBefore(faultsByJob.get(a.job), b.joinedAt);
                long lastKnown = Math.max(Math.max(a.endedCounter, a.tickCounter), a.loaded);
                long lostEdits = Math.max(0, lastKnown - b.loaded);
                if (fault == null) {
                    unexplained++;
                    continue;
                }
                long window = lostEdits == 0 ? 0 : Math.max(0, fault.at() - Math.max(b.loadedLastEditAt, a.joinedAt));
                (fault.kind().crash() ? afterCrash : afterSteal).add(lostEdits, window);
                if (window > bound) {
                    lossViolations.add(String.format(
                            Locale.ROOT,
                            "%s: after %s of %s, %d edits (%.1f s of play) lost, more than the %.1f s bound",
                            key,
                            fault.kind().label(),
                            a.job,
                            lostEdits,
                            window / 1000.0,
                            bound / 1000.0));
                }
            }
            // what the last session released is what the store holds
            SimHistory.SessionRec last = prev;
            SimPlayerData stored = in.store().data().get(key);
            if (last != null && stored != null && last.loaded >= 0) {
                if (stored.edits < last.loaded) {
                    regressions.add(String.format(
                            Locale.ROOT,
                            "%s: the store holds %d edits, fewer than the last session loaded (%d)",
                            key,
                            stored.edits,
                            last.loaded));
                }
                if (releasedGracefully(acceptedRelease, last)) {
                    gracefulChecked++;
                    if (stored.edits != last.endedCounter) {
                        hopMismatches.add(String.format(
                                Locale.ROOT,
                                "%s: %s released epoch %d with %d edits at shutdown, the store holds %d",
                                key,
                                last.job,
                                last.epoch,
                                last.endedCounter,
                                stored.edits));
                    }
                }
            }
        }
        r.checks.add(new Check(
                "graceful hops kept all edits",
                hopMismatches.none(),
                String.format(
                        Locale.ROOT,
                        "%d releases checked (hops, hand-overs, leaves, shutdown): what a server released is what the next one loaded; %d mismatches",
                        gracefulChecked,
                        hopMismatches.count),
                hopMismatches.examples));
        r.checks.add(new Check(
                "saved data never went back",
                regressions.none(),
                String.format(
                        Locale.ROOT,
                        "%d regressions (a session loading less than an earlier session had loaded)",
                        regressions.count),
                regressions.examples));
        r.checks.add(new Check(
                "loss after a crash bounded by the auto-save period",
                lossViolations.none(),
                String.format(
                        Locale.ROOT,
                        "after kill -9: worst %d edits / %.1f s of play over %d sessions; after a steal (SIGSTOP, cut): worst %d edits / %.1f s over %d sessions; bound %.1f s (auto-save %.1f s + %.1f s slack)",
                        afterCrash.worstEdits,
                        afterCrash.worstMs / 1000.0,
                        afterCrash.sessions,
                        afterSteal.worstEdits,
                        afterSteal.worstMs / 1000.0,
                        afterSteal.sessions,
                        bound / 1000.0,
                        cfg.autoSave().toMillis() / 1000.0,
                        cfg.lossSlack().toMillis() / 1000.0),
                lossViolations.examples));
        r.checks.add(new Check(
                "no server process died on its own",
                h.unexpectedExits.isEmpty(),
                h.unexpectedExits.size() + " unexpected exits",
                h.unexpectedExits));

        // ---- steals against the owner's lease (informational: FORCE_LOAD may steal from a live owner that does not
        // answer)
        long steals = 0;
        Failures earlySteals = new Failures();
        long minMarginMs = Long.MAX_VALUE;
        for (Map.Entry<String, List<SimHistory.Acq>> e : h.acquires.entrySet()) {
            Map<Long, SimHistory.Acq> byEpoch = new HashMap<>();
            e.getValue().forEach(a -> byEpoch.put(a.epoch(), a));
            for (SimHistory.Acq a : e.getValue()) {
                if (a.expectedEpoch() < 0) {
                    continue;
                }
                SimHistory.Acq previous = byEpoch.get(a.expectedEpoch());
                if (previous == null || previous.job().equals(a.job())) {
                    continue;
                }
                long expires = Long.MIN_VALUE;
                for (SimHistory.Heartbeat hb : h.heartbeats.getOrDefault(previous.job(), List.of())) {
                    if (hb.t0() < a.t0()) {
                        expires = Math.max(expires, hb.expiresAtMillis());
                    }
                }
                if (expires == Long.MIN_VALUE) {
                    continue;
                }
                steals++;
                long margin = a.t0() / 1000 - expires;
                minMarginMs = Math.min(minMarginMs, margin);
                if (margin < 0) {
                    earlySteals.add(String.format(
                            Locale.ROOT,
                            "%s: %s took epoch %d from %s %.1f s before that server's lease expired",
                            e.getKey(),
                            a.job(),
                            a.expectedEpoch(),
                            previous.job(),
                            -margin / 1000.0));
                }
            }
        }

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
        config.put("giftsPerSecond", cfg.giftsPerSecond());
        config.put(
                "faults", cfg.faultKinds().stream().map(FaultKind::configName).toList());
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
        traffic.put("giftsAcknowledged", acked);
        traffic.put("savesAccepted", accepted);
        traffic.put("staleSavesRefused", refused);
        traffic.put("saveErrors", errors);
        traffic.put("gracefulReleasesChecked", gracefulChecked);
        traffic.put("takeoversWithoutFault", unexplained);
        traffic.put("steals", steals);
        traffic.put("stealsBeforeOwnersLeaseExpired", earlySteals.count);
        traffic.put("earliestStealAfterLeaseExpiryMs", steals == 0 ? null : minMarginMs);
        traffic.put("issues", h.issueCount);
        Map<String, Object> faultJson = new LinkedHashMap<>();
        faultJson.put("kill9", h.count(FaultKind.KILL));
        faultJson.put("sigstop", h.count(FaultKind.FREEZE));
        faultJson.put("connectionCuts", h.count(FaultKind.CUT));
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
        timings.put("handOverMs", Stats.summary(handoverMs));
        timings.put("stealAfterKillMs", Stats.summary(stealAfterKillMs));
        timings.put("stealAfterSigstopMs", Stats.summary(stealAfterFreezeMs));
        Map<String, Object> loss = new LinkedHashMap<>();
        loss.put("afterKillWorstEdits", afterCrash.worstEdits);
        loss.put("afterKillWorstMs", afterCrash.worstMs);
        loss.put("afterKillSessions", afterCrash.sessions);
        loss.put("afterStealWorstEdits", afterSteal.worstEdits);
        loss.put("afterStealWorstMs", afterSteal.worstMs);
        loss.put("afterStealSessions", afterSteal.sessions);
        loss.put("boundMs", bound);
        Map<String, Object> giftJson = new LinkedHashMap<>();
        giftJson.put("sent", h.gifts.size());
        giftJson.put("acknowledged", acked);
        giftJson.put("appliedOnce", appliedOnce);
        giftJson.put("lost", lost);
        giftJson.put("duplicated", duplicated);
        giftJson.put("pending", pending);
        giftJson.put("unknown", unknown);
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
        r.json.put("epochViolations", epochViolations.count);
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
                acked));
        t.add(String.format(
                Locale.ROOT,
                "Faults: kill -9 x%d, SIGSTOP x%d (%.1f s each), connection cut x%d%s",
                h.count(FaultKind.KILL),
                h.count(FaultKind.FREEZE),
                cfg.freezeFor().toMillis() / 1000.0,
                h.count(FaultKind.CUT),
                cfg.cut() && !StoreLinks.isServerStore(in.maskedUri())
                        ? " (not applicable to an embedded store)"
                        : ""));
        t.add("Checks:");
        for (Check c : r.checks) {
            t.add("  [" + (c.passed() ? "PASS" : "FAIL") + "] " + c.name() + ": " + c.summary());
            for (String f : c.failures()) {
                t.add("         " + f);
            }
        }
        t.add("Timings:");
        t.add("  hand-over latency (FORCE_LOAD, live owner): " + describe(handoverMs, true));
        t.add("  steal time after kill -9 (kill to loaded elsewhere): " + describe(stealAfterKillMs, false));
        t.add("  steal time after SIGSTOP (stop to loaded elsewhere): " + describe(stealAfterFreezeMs, false));
        if (steals > 0) {
            t.add(String.format(
                    Locale.ROOT,
                    "  steals: %d, earliest %.2f s after the owner's lease expired; %d before it (FORCE_LOAD timeout against a live owner)",
                    steals,
                    minMarginMs / 1000.0,
                    earlySteals.count));
            for (String s : earlySteals.examples) {
                t.add("    " + s);
            }
        }
        if (unexplained > 0) {
            t.add("Note: " + unexplained
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

    private static SimHistory.Fault lastFaultBefore(List<SimHistory.Fault> faults, long at) {
        SimHistory.Fault best = null;
        if (faults != null) {
            for (SimHistory.Fault f : faults) {
                if (f.at() <= at && (best == null || f.at() > best.at())) {
                    best = f;
                }
            }
        }
        return best;
    }

    private static int lastBefore(long[] sorted, long t) {
        int lo = 0;
        int hi = sorted.length - 1;
        int ans = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < t) {
                ans = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return ans;
    }

    private static void add(List<String> list, String s) {
        if (list.size() < EXAMPLES) {
            list.add(s);
        }
    }

    /** How often one check failed, and the first {@value #EXAMPLES} failures. */
    private static final class Failures {
        long count;
        final List<String> examples = new ArrayList<>();

        void add(String example) {
            count++;
            SimReport.add(examples, example);
        }

        boolean none() {
            return count == 0;
        }
    }

    /** The worst loss over the sessions that one kind of fault ended. */
    private static final class Loss {
        long sessions;
        long worstEdits;
        long worstMs;

        void add(long edits, long ms) {
            sessions++;
            worstEdits = Math.max(worstEdits, edits);
            worstMs = Math.max(worstMs, ms);
        }
    }

    /** Whether {@code s} was released with an accepted release save and reported its final counter. */
    private static boolean releasedGracefully(Set<String> acceptedRelease, SimHistory.SessionRec s) {
        return acceptedRelease.contains(s.key + "#" + s.epoch) && s.endedCounter >= 0;
    }

    /** JSON text of the report. */
    public String toJsonText() {
        return Json.pretty(json);
    }
}
