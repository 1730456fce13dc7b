package dev.profileservice.cli.internal.sim;

import static dev.profileservice.cli.internal.sim.SimChecks.check;

import dev.profileservice.cli.internal.sim.SimChecks.Failures;
import dev.profileservice.cli.internal.sim.SimReport.Check;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of the admin operations of a simulation run ({@link AdminDriver}), and the tallies
 * they count on the way, for {@link SimChecks} to run in report order and {@link SimReport} to
 * format: admin rollbacks loaded by the next session, and no wiped profile brought back. It also
 * tells the session checks of {@link SimChecks} which pairs of sessions a rollback lies between
 * ({@link #rollbackBetween}, {@link #rollbackAfter}): those are set back on purpose.
 *
 * <p>Built on the simulation's driving thread with {@link SimChecks}, after every server process
 * has stopped; its tallies are final once both checks have run.
 */
final class AdminChecks {
    // rollbacks
    long rollbacksDone;
    long rollbacksOnline;
    long rollbacksChecked;
    long rollbacksSuperseded;
    long rollbacksUnverified;
    /** Rollbacks that wrote nothing or failed (a version pruned meanwhile, a store error): counted, not failures. */
    long rollbacksFailed;
    /** Sessions live when their rollback began that reported their end after it: stolen by the admin. */
    long sessionsEndedByRollback;

    final Failures rollbackFailures = new Failures();
    /** The first rollbacks that failed (not check failures). */
    final List<String> rollbackErrors = new ArrayList<>();
    // wipes
    long wipesDone;
    long staleOverwritesRefused;
    long wipesFailed;
    final Failures wipeFailures = new Failures();
    final List<String> wipeErrors = new ArrayList<>();

    private final SimReport.Input in;
    private final SimHistory h;
    /** Each session's acquire, by {@code key#epoch}. */
    private final Map<String, SimHistory.Acq> acquireOf = new HashMap<>();
    /** The rollbacks that reached the store (written, or perhaps written before failing), by key, in order. */
    private final Map<String, List<SimHistory.Rollback>> rollbacksOf = new HashMap<>();

    AdminChecks(SimReport.Input in) {
        this.in = in;
        this.h = in.history();
        h.acquires.forEach((key, acqs) -> acqs.forEach(a -> acquireOf.put(key + "#" + a.epoch(), a)));
        for (SimHistory.Rollback r : h.rollbacks) {
            if (r.attempted()) {
                rollbacksOf.computeIfAbsent(r.key, x -> new ArrayList<>()).add(r);
            }
        }
    }

    /**
     * Admin rollbacks: the first session that acquired the key after each {@code overwrite()} loaded
     * exactly the rolled-back edit counter, the epoch moved (the overwrite ended the session), and no
     * save of an older session was accepted after it. The player was held while the rollback ran, so
     * an acquire overlapping it is a fault of the simulation itself, reported as a failure too.
     */
    Check checkRollbacks() {
        for (SimHistory.Rollback r : h.rollbacks) {
            switch (r.outcome) {
                case DONE -> {
                    rollbacksDone++;
                    if (r.online()) {
                        rollbacksOnline++;
                    }
                    checkRollback(r);
                }
                case PRUNED, FAILED -> {
                    rollbacksFailed++;
                    if (rollbackErrors.size() < 3) {
                        rollbackErrors.add(r.key + " to version " + r.version + ": "
                                + (r.outcome == SimHistory.RollbackOutcome.PRUNED
                                        ? "the version was pruned before it could be viewed"
                                        : r.error));
                    }
                }
                default -> {}
            }
        }
        return check(
                "admin rollbacks are what the next session loads",
                rollbackFailures,
                "%d rollbacks (%d while the player was online; %d live sessions ended by them), %d checked,"
                        + " %d superseded by the next rollback, %d unverified (the loading server died first);"
                        + " %d failed without a write (counted, not a failure); %d failures",
                rollbacksDone,
                rollbacksOnline,
                sessionsEndedByRollback,
                rollbacksChecked,
                rollbacksSuperseded,
                rollbacksUnverified,
                rollbacksFailed,
                rollbackFailures.count);
    }

    private void checkRollback(SimHistory.Rollback r) {
        SimHistory.Acq before = null;
        SimHistory.Acq after = null;
        for (SimHistory.Acq a : h.acquires.getOrDefault(r.key, List.of())) {
            if (a.t1() < r.t0) {
                before = before == null || a.epoch() > before.epoch() ? a : before;
            } else if (a.t0() > r.t1) {
                after = after == null || a.t0() < after.t0() ? a : after;
            } else {
                rollbackFailures.add(
                        "%s: epoch %d was acquired by %s while the rollback to version %s ran (the player was held)",
                        r.key, a.epoch(), a.job(), r.version);
            }
        }
        long firstAfter = after == null ? Long.MAX_VALUE : after.t0();
        long oldEpoch = before == null ? -1 : before.epoch();
        long newEpoch = after == null ? Long.MAX_VALUE : after.epoch();
        for (SimHistory.Save s : h.saves.getOrDefault(r.key, List.of())) {
            if (s.status().equals("SAVED") && s.t0() > r.t1 && s.epoch() <= oldEpoch && s.epoch() < newEpoch) {
                rollbackFailures.add(
                        "%s: a save by %s (epoch %d) was accepted %.1f ms after the rollback to version %s had"
                                + " ended that session",
                        r.key, s.job(), s.epoch(), (s.t0() - r.t1) / 1000.0, r.version);
            }
        }
        if (r.online()) {
            SimHistory.SessionRec live = h.sessions.get(r.key + "#" + r.liveEpoch);
            if (live != null && live.endedAt * 1000 >= r.t0) {
                sessionsEndedByRollback++;
            }
        }
        for (SimHistory.Rollback next : rollbacksOf.getOrDefault(r.key, List.of())) {
            if (next != r && next.t0 > r.t1 && next.t0 < firstAfter) {
                rollbacksSuperseded++;
                return;
            }
        }
        if (after == null) {
            rollbackFailures.add(
                    "%s: no session acquired the profile after its rollback to version %s", r.key, r.version);
            return;
        }
        SimHistory.SessionRec next = h.sessions.get(r.key + "#" + after.epoch());
        if (before != null && after.epoch() < before.epoch() + 2) {
            rollbackFailures.add(
                    "%s: epoch %d (%s) follows epoch %d directly: the rollback to version %s did not move the epoch",
                    r.key, after.epoch(), after.job(), before.epoch(), r.version);
        }
        if (next == null || next.loaded < 0) {
            rollbacksUnverified++;
        } else if (next.loaded != r.expectedEdits) {
            rollbackFailures.add(
                    "%s: rolled back to version %s (%d edits)%s; the next session (epoch %d on %s) loaded %d",
                    r.key,
                    r.version,
                    r.expectedEdits,
                    r.online() ? " while online in epoch " + r.liveEpoch : "",
                    next.epoch,
                    next.job,
                    next.loaded);
        } else {
            rollbacksChecked++;
        }
    }

    /**
     * Wipes: the overwrite of a view taken before the wipe threw IllegalStateException after it, the
     * store held neither the record nor the version right after, no save was accepted after it, and
     * the final store holds nothing for the key (its player never came back).
     */
    Check checkWipes() {
        for (SimHistory.Wipe w : h.wipes) {
            if (w.error != null) {
                wipesFailed++;
                if (wipeErrors.size() < 3) {
                    wipeErrors.add(w.key + ": " + w.error);
                }
                continue;
            }
            wipesDone++;
            if (w.stale == SimHistory.StaleOverwrite.REFUSED) {
                staleOverwritesRefused++;
            } else if (w.stale == SimHistory.StaleOverwrite.SUCCEEDED) {
                wipeFailures.add(
                        "%s: overwrite() of version %s (%d edits), viewed before the wipe, succeeded: it wrote the profile",
                        w.key, w.version, w.staleEdits);
            } else if (w.stale == SimHistory.StaleOverwrite.ERROR) {
                wipeFailures.add(
                        "%s: overwrite() of a view taken before the wipe threw %s, not IllegalStateException",
                        w.key, w.staleError);
            }
            if (w.recordAfter) {
                wipeFailures.add("%s: viewProfile still found the profile right after the wipe", w.key);
            }
            if (w.versionAfter) {
                wipeFailures.add("%s: version %s could still be viewed after the wipe", w.key, w.version);
            }
            for (SimHistory.Save s : h.saves.getOrDefault(w.key, List.of())) {
                if (s.status().equals("SAVED") && s.t0() > w.t1) {
                    wipeFailures.add(
                            "%s: a save by %s (epoch %d) was accepted after the wipe", w.key, s.job(), s.epoch());
                }
            }
            SimPlayerData stored = in.store().data().get(w.key);
            if (stored != null) {
                wipeFailures.add(
                        "%s: the store holds the wiped profile at the end (%d edits) though its player never came back",
                        w.key, stored.edits);
            }
        }
        return check(
                "no rollback resurrects a wiped profile",
                wipeFailures,
                "%d wipes of offline players (kept offline), %d stale overwrites refused (IllegalStateException);"
                        + " %d wipes failed (counted, not a failure); %d failures",
                wipesDone,
                staleOverwritesRefused,
                wipesFailed,
                wipeFailures.count);
    }

    /** When session {@code s}'s acquire started and ended (micros), from its audit record or, without one, its join. */
    private long[] acquireSpan(SimHistory.SessionRec s) {
        SimHistory.Acq a = acquireOf.get(s.key + "#" + s.epoch);
        if (a != null) {
            return new long[] {a.t0(), a.t1()};
        }
        return new long[] {s.joinedAt * 1000, s.joinedAt * 1000};
    }

    /** Whether an admin rollback reached the store after session {@code a} acquired the key and before {@code b} did. */
    boolean rollbackBetween(SimHistory.SessionRec a, SimHistory.SessionRec b) {
        long afterA = acquireSpan(a)[1];
        long beforeB = acquireSpan(b)[0];
        for (SimHistory.Rollback r : rollbacksOf.getOrDefault(a.key, List.of())) {
            if (r.t0 > afterA && r.t0 < beforeB) {
                return true;
            }
        }
        return false;
    }

    /** Whether an admin rollback reached the store after session {@code s} acquired the key. */
    boolean rollbackAfter(SimHistory.SessionRec s) {
        long after = acquireSpan(s)[1];
        return rollbacksOf.getOrDefault(s.key, List.of()).stream().anyMatch(r -> r.t0 > after);
    }
}
