package dev.profileservice.cli.internal.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the parent learns during a run, for the {@link SimReport} to check afterwards: each session's
 * load and end, every acquire, save and heartbeat the servers' {@link AuditingBackend}s reported,
 * the gifts and their applications, the faults, the servers' issues, and traffic counts.
 *
 * <p>Not thread-safe: written under the simulation lock (by the child reader threads, the gift
 * threads and the driving thread); the report reads it after every server process has stopped.
 */
final class SimHistory {
    private static final int MAX_ISSUES = 20;
    private static final int MAX_JOIN_FAILURES = 10;

    /** Everything known about one session (key, epoch); -1 counters are unknown. */
    static final class SessionRec {
        final String key;
        final long epoch;
        String job;
        /** Edits the session loaded (the counter in the stored data). */
        long loaded = -1;
        /** When the last of those loaded edits was made (millis). */
        long loadedLastEditAt;

        long joinedAt;
        double joinMs = Double.NaN;
        /** Why its join was sent, and the fault that sent its player here; null for a join the driver had given up on. */
        JoinReason why;
        /** The edit counter when the session ended (released or lost). */
        long endedCounter = -1;

        long endedAt;
        /** The highest edit counter a server reported while the session ran. */
        long tickCounter = -1;

        SessionRec(String key, long epoch) {
            this.key = key;
            this.epoch = epoch;
        }
    }

    /** A successful acquire of epoch {@code epoch} over {@code expectedEpoch} (-1: none), from {@code t0} to {@code t1} (micros). */
    record Acq(String job, long epoch, long expectedEpoch, long t0, long t1) {}

    /** A successful heartbeat: started at {@code t0} (micros), lease valid until {@code expiresAtMillis}. */
    record Heartbeat(long t0, long expiresAtMillis) {}

    /** A save as the store answered it ({@code SAVED}, {@code LOST_SESSION}, {@code ERROR}), from {@code t0} to {@code t1} (micros). */
    record Save(String job, long epoch, boolean release, String status, long t0, long t1) {}

    /** A fault on server {@code job} from {@code at} until {@code until} (millis; equal for a crash). */
    record Fault(FaultKind kind, String job, long at, long until) {}

    /** An admin gift: {@code acked} is null while the store call runs, then whether it was acknowledged. */
    /** The storm phase: many gifts at once to one player, who keeps changing servers meanwhile. */
    static final class Storm {
        final String key;
        final int gifts;
        final long startedAt;
        long endedAt;
        /** Joins of the player (hand-overs and hops) while the storm lasted. */
        int joins;

        int failed;

        Storm(String key, int gifts, long startedAt) {
            this.key = key;
            this.gifts = gifts;
            this.startedAt = startedAt;
        }

        boolean running() {
            return endedAt == 0;
        }
    }

    /** The storm, once it started. */
    Storm storm;

    /** The storm while it runs and its gifts go to {@code key}; else null. */
    Storm stormRunningFor(String key) {
        return storm != null && storm.running() && storm.key.equals(key) ? storm : null;
    }

    static final class Gift {
        final String id;
        final String key;
        Boolean acked;
        String error;
        /** When the send was acknowledged (millis), and whether its player was online then. */
        long ackedAt;

        boolean ownerOnline;
        /** When a server first reported applying it (millis, as the parent read the event), else 0. */
        long appliedAt;

        Gift(String id, String key) {
            this.id = id;
            this.key = key;
        }
    }

    /** How an admin rollback ({@link AdminDriver}) ended. */
    enum RollbackOutcome {
        /** {@code overwrite()} returned: the version is the profile's newest data. */
        DONE,
        /** The key had too few kept versions to go back to; nothing was tried. */
        NO_VERSION,
        /** The chosen version was gone (pruned) by the time it was viewed; nothing was written. */
        PRUNED,
        /** A store call threw; the overwrite may or may not have been written. */
        FAILED
    }

    /**
     * An admin rollback of {@code key} to {@code version}: {@code expectedEdits} is the rolled-back
     * data's edit counter, what the next session must load; {@code t0}..{@code t1} (micros, the
     * children's audit clock) surround the {@code overwrite()} call; the player was held (sent no
     * join) from before {@code t0} until after {@code t1}. {@code liveEpoch} is the session the player
     * was online in when the rollback began (-1: offline), which the overwrite must end.
     */
    static final class Rollback {
        final String key;
        final long at;
        final long liveEpoch;
        String version;
        long expectedEdits = -1;
        long t0;
        long t1;
        RollbackOutcome outcome;
        String error;

        Rollback(String key, long at, long liveEpoch) {
            this.key = key;
            this.at = at;
            this.liveEpoch = liveEpoch;
        }

        boolean online() {
            return liveEpoch >= 0;
        }

        /** Whether the overwrite was sent to the store (written, or perhaps written before a failure). */
        boolean attempted() {
            return outcome == RollbackOutcome.DONE || outcome == RollbackOutcome.FAILED && t0 > 0;
        }
    }

    /** What {@code overwrite()} of a view taken before a wipe did after the wipe. */
    enum StaleOverwrite {
        /** It threw IllegalStateException and wrote nothing: right. */
        REFUSED,
        /** It returned: it wrote the profile back. */
        SUCCEEDED,
        /** It threw something else. */
        ERROR
    }

    /**
     * A wipe of {@code key} (its player offline, and kept offline for the rest of the run), with a
     * view of {@code version} ({@code staleEdits} edits) taken before it; what an {@code overwrite()}
     * of that view did after the wipe, and whether the record or the version could still be read
     * right after. {@code error} is set when the wipe itself failed (nothing was checked).
     */
    static final class Wipe {
        final String key;
        final long at;
        String version;
        long staleEdits = -1;
        boolean existed;
        StaleOverwrite stale;
        String staleError;
        boolean recordAfter;
        boolean versionAfter;
        long t1;
        String error;

        Wipe(String key, long at) {
            this.key = key;
            this.at = at;
        }
    }

    /** The admin rollbacks, in the order they began. */
    final List<Rollback> rollbacks = new ArrayList<>();
    /** The wipes, in the order they began. */
    final List<Wipe> wipes = new ArrayList<>();

    /** By {@code key#epoch}. */
    final Map<String, SessionRec> sessions = new HashMap<>();
    /** By profile key. */
    final Map<String, List<Acq>> acquires = new HashMap<>();
    /** By profile key. */
    final Map<String, List<Save>> saves = new HashMap<>();
    /** By server job. */
    final Map<String, List<Heartbeat>> heartbeats = new HashMap<>();
    /** By gift id, in sending order. */
    final Map<String, Gift> gifts = new LinkedHashMap<>();
    /** How many times the servers reported applying each gift id. */
    final Map<String, Integer> giftApplications = new HashMap<>();

    final List<Fault> faults = new ArrayList<>();
    /** The first issues the servers or the parent reported; {@link #issueCount} counts all. */
    final List<String> issues = new ArrayList<>();

    long issueCount;
    final List<String> unexpectedExits = new ArrayList<>();
    /** The first failed joins. */
    final List<String> joinFailures = new ArrayList<>();

    long joins;
    long hops;
    long handovers;

    /** The record of session (key, epoch), created on first mention. */
    SessionRec session(String key, long epoch) {
        return sessions.computeIfAbsent(key + "#" + epoch, x -> new SessionRec(key, epoch));
    }

    void issue(String message) {
        issueCount++;
        if (issues.size() < MAX_ISSUES) {
            issues.add(message);
        }
    }

    void joinFailure(String message) {
        if (joinFailures.size() < MAX_JOIN_FAILURES) {
            joinFailures.add(message);
        }
    }

    void fault(FaultKind kind, String job, long at, long until) {
        faults.add(new Fault(kind, job, at, until));
    }

    /** Faults of {@code kind} so far. */
    int count(FaultKind kind) {
        return (int) faults.stream().filter(f -> f.kind() == kind).count();
    }

    long giftsAcked() {
        return gifts.values().stream().filter(g -> Boolean.TRUE.equals(g.acked)).count();
    }

    /** Gifts a server reported applying at least once. */
    long giftsApplied() {
        return gifts.keySet().stream().filter(giftApplications::containsKey).count();
    }

    /** Whether a server reported applying every acknowledged gift. */
    boolean allAckedGiftsApplied() {
        return gifts.values().stream()
                .filter(g -> Boolean.TRUE.equals(g.acked))
                .allMatch(g -> giftApplications.containsKey(g.id));
    }
}
