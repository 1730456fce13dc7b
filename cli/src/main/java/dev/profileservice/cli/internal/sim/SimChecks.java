package dev.profileservice.cli.internal.sim;

import dev.profileservice.cli.internal.sim.SimReport.Check;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The checks of a simulation run, and the tallies they count on the way, for {@link SimReport} to
 * format: gifts applied exactly once, the gift storm, fencing (no save accepted from a session
 * that had lost the profile), edits kept across graceful hops and bounded loss after faults, no
 * server dying on its own, admin rollbacks loaded by the next session and no wiped profile brought
 * back (both in {@link AdminChecks}), and steals against the owner's lease (counted, not checked).
 *
 * <p>An admin rollback legitimately sets a profile back: the session it fenced ends "stolen by
 * admin", and the pair of sessions around it is checked by the rollback check, not as a hop or a
 * loss.
 *
 * <p>Runs once, on the simulation's driving thread after every server process has stopped, from
 * the servers' audit records and events and the final store contents; not changed after its
 * constructor returns.
 */
final class SimChecks {
    /** How many failures a check lists as examples. */
    static final int EXAMPLES = 10;

    /** The checks, in report order. */
    final List<Check> checks = new ArrayList<>();

    // gifts
    long acked;
    long appliedOnce;
    long lost;
    long pending;
    long duplicated;
    long unknown;
    // fencing
    long accepted;
    long refused;
    long errors;
    final Failures epochViolations = new Failures();
    // sessions
    long gracefulChecked;
    long unexplained;
    final Loss afterCrash = new Loss();
    final Loss afterSteal = new Loss();
    /** The loss bound in milliseconds: the auto-save period plus the slack. */
    final long bound;

    final List<Double> handoverMs = new ArrayList<>();
    /** Hand-over times of the hand-overs each kind of fault overtook (on the owner or the joining server). */
    final Map<FaultKind, List<Double>> handoverDuringFaultMs = new java.util.EnumMap<>(FaultKind.class);
    /** Acknowledged send to first application, for gifts to a player online at the acknowledgement, when no fault was on. */
    final List<Double> giftDeliveryMs = new ArrayList<>();
    /** The same while a fault of each kind was on (from its start until a lease after it healed). */
    final Map<FaultKind, List<Double>> giftDeliveryDuringFaultMs = new java.util.EnumMap<>(FaultKind.class);

    final List<Double> stealAfterKillMs = new ArrayList<>();
    final List<Double> stealAfterFreezeMs = new ArrayList<>();
    /** Pairs of sessions with a rollback between them (not hops nor losses: the rollback check covers them). */
    long rollbackResets;
    /** The admin checks (rollbacks and wipes) and their tallies. */
    final AdminChecks admin;
    // steals
    long steals;
    final Failures earlySteals = new Failures();
    long minMarginMs = Long.MAX_VALUE;

    private final SimReport.Input in;
    private final SimHistory h;
    private final Set<String> acceptedRelease = new HashSet<>();

    SimChecks(SimReport.Input in) {
        this.in = in;
        this.h = in.history();
        this.bound = in.cfg().autoSave().toMillis() + in.cfg().lossSlack().toMillis();
        this.admin = new AdminChecks(in);
        checkGifts();
        timeGiftDeliveries();
        checkStorm();
        checkFencing();
        checkSessions();
        checks.add(admin.checkRollbacks());
        checks.add(admin.checkWipes());
        add(
                "no server process died on its own",
                h.unexpectedExits.isEmpty(),
                h.unexpectedExits,
                "%d unexpected exits",
                h.unexpectedExits.size());
        countSteals();
    }

    /** A check whose summary is {@code format} with {@code args}. */
    static Check check(String name, boolean passed, List<String> failures, String format, Object... args) {
        return new Check(name, passed, String.format(Locale.ROOT, format, args), failures);
    }

    /** A check that passed if {@code failures} counted none. */
    static Check check(String name, Failures failures, String format, Object... args) {
        return check(name, failures.none(), failures.examples, format, args);
    }

    /** Adds a check whose summary is {@code format} with {@code args}. */
    private void add(String name, boolean passed, List<String> failures, String format, Object... args) {
        checks.add(check(name, passed, failures, format, args));
    }

    /** Adds a check that passed if {@code failures} counted none. */
    private void add(String name, Failures failures, String format, Object... args) {
        checks.add(check(name, failures, format, args));
    }

    /** Every acknowledged gift applied exactly once. */
    private void checkGifts() {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        in.store().data().forEach((key, data) -> {
            Map<String, Integer> c = new HashMap<>();
            for (String g : data.gifts) {
                c.merge(g, 1, Integer::sum);
            }
            counts.put(key, c);
        });
        long unackedApplied = 0;
        Failures failures = new Failures();
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
                failures.add("gift " + g.id + " to " + g.key + " applied " + n + " times");
            } else if (n == 1) {
                if (isAcked) {
                    appliedOnce++;
                } else {
                    unackedApplied++;
                }
            } else if (isAcked) {
                if (in.store().pendingUpdates().getOrDefault(g.key, 0) > 0) {
                    pending++;
                    failures.add("gift " + g.id + " to " + g.key
                            + " acknowledged but still pending in the store after the drain");
                } else {
                    lost++;
                    failures.add(
                            "gift " + g.id + " to " + g.key + " acknowledged but not in the data nor pending: LOST");
                }
            }
        }
        for (Map.Entry<String, Map<String, Integer>> e : counts.entrySet()) {
            for (String g : e.getValue().keySet()) {
                if (!known.contains(g)) {
                    unknown++;
                    failures.add("gift id " + g + " in " + e.getKey() + " was never sent");
                }
            }
        }
        for (String err : in.store().viewErrors()) {
            failures.add("viewProfile failed: " + err);
        }
        add(
                "gifts applied exactly once",
                lost == 0
                        && duplicated == 0
                        && pending == 0
                        && unknown == 0
                        && in.store().viewErrors().isEmpty(),
                failures.examples,
                "%d sent, %d acknowledged, %d applied once, %d lost, %d duplicated, %d still pending%s",
                h.gifts.size(),
                acked,
                appliedOnce,
                lost,
                duplicated,
                pending,
                unackedApplied > 0 ? ", " + unackedApplied + " unacknowledged applied once (allowed)" : "");
    }

    /** Sorts the delivery times of gifts to online players by the fault that was on when they were acknowledged. */
    private void timeGiftDeliveries() {
        long lease = in.cfg().lease().toMillis();
        for (SimHistory.Gift g : h.gifts.values()) {
            if (!g.ownerOnline || g.appliedAt < g.ackedAt) {
                continue;
            }
            double ms = g.appliedAt - g.ackedAt;
            FaultKind during = null;
            for (SimHistory.Fault f : h.faults) {
                if (f.at() <= g.ackedAt && g.ackedAt <= Math.max(f.until(), f.at()) + lease) {
                    during = f.kind();
                }
            }
            if (during == null) {
                giftDeliveryMs.add(ms);
            } else {
                giftDeliveryDuringFaultMs
                        .computeIfAbsent(during, x -> new ArrayList<>())
                        .add(ms);
            }
        }
    }

    /** The storm: many gifts to one player at once, who changes servers meanwhile. */
    private void checkStorm() {
        SimHistory.Storm storm = h.storm;
        if (storm == null) {
            return;
        }
        boolean over = !storm.running();
        // the joins are reported, not required: a fault may hold the player on a frozen server for the whole storm
        add(
                "storm: every send to the popular player succeeded",
                over && storm.failed == 0,
                List.of(),
                "%d gifts to %s from %d threads in %.1f s, %d failed; the player"
                        + " joined a server %d times meanwhile%s",
                storm.gifts,
                storm.key,
                GiftSender.STORM_THREADS,
                ((over ? storm.endedAt : storm.startedAt) - storm.startedAt) / 1000.0,
                storm.failed,
                storm.joins,
                over ? "" : "; the storm never ended");
    }

    /** Fencing: no accepted save from a session that had lost the profile. */
    private void checkFencing() {
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
                            epochViolations.add(
                                    "%s: save by %s with epoch %d accepted, but epoch %d had been acquired %.1f ms before it started",
                                    key, s.job(), s.epoch(), maxEpoch[idx], (s.t0() - ends[idx]) / 1000.0);
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
        add(
                "no save accepted from a session that had lost the profile",
                epochViolations,
                "%d saves accepted in epoch order, %d violations; %d stale saves refused by the store, %d saves failed (store errors)",
                accepted,
                epochViolations.count,
                refused,
                errors);
    }

    /** Sessions per key in epoch order: hops, losses, regressions. */
    private void checkSessions() {
        Map<String, List<SimHistory.Fault>> faultsByJob = new HashMap<>();
        for (SimHistory.Fault f : h.faults) {
            faultsByJob.computeIfAbsent(f.job(), x -> new ArrayList<>()).add(f);
        }
        Map<String, TreeMap<Long, SimHistory.SessionRec>> byKey = new TreeMap<>();
        for (SimHistory.SessionRec s : h.sessions.values()) {
            byKey.computeIfAbsent(s.key, x -> new TreeMap<>()).put(s.epoch, s);
        }
        Failures hopMismatches = new Failures();
        Failures regressions = new Failures();
        Failures lossViolations = new Failures();
        for (Map.Entry<String, TreeMap<Long, SimHistory.SessionRec>> e : byKey.entrySet()) {
            String key = e.getKey();
            SimHistory.SessionRec prev = null;
            for (SimHistory.SessionRec b : e.getValue().values()) {
                if (b.loaded >= 0 && b.why != null) {
                    switch (b.why.kind()) {
                        case HANDOVER -> handoverMs.add(b.joinMs);
                        case DURING_FAULT ->
                            handoverDuringFaultMs
                                    .computeIfAbsent(b.why.during(), x -> new ArrayList<>())
                                    .add(b.joinMs);
                        case AFTER_KILL -> stealAfterKillMs.add((double) (b.joinedAt - b.why.faultAt()));
                        case AFTER_FREEZE -> stealAfterFreezeMs.add((double) (b.joinedAt - b.why.faultAt()));
                        default -> {}
                    }
                }
                SimHistory.SessionRec a = prev;
                prev = b;
                if (a != null && admin.rollbackBetween(a, b)) {
                    rollbackResets++; // a legitimate reset: checked by the rollback check
                    continue;
                }
                if (a == null || b.epoch != a.epoch + 1 || a.loaded < 0 || b.loaded < 0) {
                    continue;
                }
                if (b.loaded < a.loaded) {
                    regressions.add(
                            "%s: epoch %d (%s) loaded %d edits, fewer than epoch %d (%s) had loaded (%d)",
                            key, b.epoch, b.job, b.loaded, a.epoch, a.job, a.loaded);
                }
                if (releasedGracefully(a)) {
                    gracefulChecked++;
                    if (b.loaded != a.endedCounter) {
                        hopMismatches.add(
                                "%s: %s released epoch %d with %d edits, %s loaded %d (%+d)",
                                key, a.job, a.epoch, a.endedCounter, b.job, b.loaded, b.loaded - a.endedCounter);
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
                    lossViolations.add(
                            "%s: after %s of %s, %d edits (%.1f s of play) lost, more than the %.1f s bound",
                            key, fault.kind().label(), a.job, lostEdits, window / 1000.0, bound / 1000.0);
                }
            }
            // what the last session released is what the store holds
            SimHistory.SessionRec last = prev;
            SimPlayerData stored = in.store().data().get(key);
            if (last != null && stored != null && last.loaded >= 0 && !admin.rollbackAfter(last)) {
                if (stored.edits < last.loaded) {
                    regressions.add(
                            "%s: the store holds %d edits, fewer than the last session loaded (%d)",
                            key, stored.edits, last.loaded);
                }
                if (releasedGracefully(last)) {
                    gracefulChecked++;
                    if (stored.edits != last.endedCounter) {
                        hopMismatches.add(
                                "%s: %s released epoch %d with %d edits at shutdown, the store holds %d",
                                key, last.job, last.epoch, last.endedCounter, stored.edits);
                    }
                }
            }
        }
        add(
                "graceful hops kept all edits",
                hopMismatches,
                "%d releases checked (hops, hand-overs, leaves, shutdown): what a server released is what the next one loaded; %d mismatches",
                gracefulChecked,
                hopMismatches.count);
        add(
                "saved data never went back",
                regressions,
                "%d regressions (a session loading less than an earlier session had loaded)",
                regressions.count);
        add(
                "loss after a crash bounded by the auto-save period",
                lossViolations,
                "after kill -9: worst %d edits / %.1f s of play over %d sessions; after a steal (SIGSTOP, cut): worst %d edits / %.1f s over %d sessions; bound %.1f s (auto-save %.1f s + %.1f s slack)",
                afterCrash.worstEdits,
                afterCrash.worstMs / 1000.0,
                afterCrash.sessions,
                afterSteal.worstEdits,
                afterSteal.worstMs / 1000.0,
                afterSteal.sessions,
                bound / 1000.0,
                in.cfg().autoSave().toMillis() / 1000.0,
                in.cfg().lossSlack().toMillis() / 1000.0);
    }

    /**
     * Steals against the owner's lease (informational: FORCE_LOAD may steal from a live owner that
     * does not answer).
     */
    private void countSteals() {
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
                    earlySteals.add(
                            "%s: %s took epoch %d from %s %.1f s before that server's lease expired",
                            e.getKey(), a.job(), a.expectedEpoch(), previous.job(), -margin / 1000.0);
                }
            }
        }
    }

    /** Whether {@code s} was released with an accepted release save and reported its final counter. */
    private boolean releasedGracefully(SimHistory.SessionRec s) {
        return acceptedRelease.contains(s.key + "#" + s.epoch) && s.endedCounter >= 0;
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

    /** How often one check failed, and the first {@value #EXAMPLES} failures. */
    static final class Failures {
        long count;
        final List<String> examples = new ArrayList<>();

        void add(String example) {
            count++;
            if (examples.size() < EXAMPLES) {
                examples.add(example);
            }
        }

        /** Adds the example {@code format} with {@code args}. */
        void add(String format, Object... args) {
            add(String.format(Locale.ROOT, format, args));
        }

        boolean none() {
            return count == 0;
        }
    }

    /** The worst loss over the sessions that one kind of fault ended. */
    static final class Loss {
        long sessions;
        long worstEdits;
        long worstMs;

        void add(long edits, long ms) {
            sessions++;
            worstEdits = Math.max(worstEdits, edits);
            worstMs = Math.max(worstMs, ms);
        }
    }
}
