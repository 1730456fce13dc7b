package dev.profileservice.cli.internal.sim;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import dev.profileservice.ProfileVersionQuery;
import dev.profileservice.SortDirection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The admin's rollbacks and wipes on the players of the rollback cohort ({@link PlayerDriver#cohort()}),
 * recorded in the {@link SimHistory} for {@link SimChecks}.
 *
 * <p>A rollback ({@code --rollbacks} a minute) picks an idle cohort player (online if it can: the
 * interesting case, where the overwrite must end the live session), finds a kept version one or two
 * behind the newest ({@code profileVersionQuery} newest first; fewer if there are fewer), views it ({@code viewProfile(key,
 * version)}) and {@code overwrite()}s it. The player is held (sends no join) from before the query
 * until the overwrite returned, so every acquire of its key is clearly before or after the overwrite.
 *
 * <p>A wipe ({@code --wipes} a run, spread over it) retires a cohort player that played before: it
 * leaves (if online) and never comes back. Once it is offline, the driver views an old version, wipes the key, then overwrites the
 * stale view, which must throw IllegalStateException and write nothing. The cohort is split: the
 * first {@code --wipes} players of it are wiped, the others rolled back, so no rollback meets a wipe.
 *
 * <p>Threads: {@link #step} runs on the driving thread under the simulation lock and starts one
 * action at a time on a daemon thread ({@code sim-admin}), which blocks on the store and takes the
 * lock to record the outcome.
 */
final class AdminDriver {
    /**
     * A system property that plants a bug in this driver, for tests that the checks catch it:
     * {@value #PLANT_WRONG_COUNTER} records one edit more than the rolled-back version holds;
     * {@value #PLANT_OVERWRITE_BEFORE_WIPE} overwrites the stale view before the wipe instead of after
     * (both: separated by a comma). Read only by the simulation's parent process.
     */
    static final String PLANT_PROPERTY = "profiles.simulate.plant";

    static final String PLANT_WRONG_COUNTER = "rollback-wrong-counter";
    static final String PLANT_OVERWRITE_BEFORE_WIPE = "wipe-overwrite-first";

    private final SimContext sim;
    private final ProfileStore<SimPlayerData> store;
    private final PlayerDriver players;
    private final List<String> rollbackKeys;
    private final List<String> wipeKeys;
    private final Set<String> plant =
            Set.copyOf(Arrays.asList(System.getProperty(PLANT_PROPERTY, "").split(",")));
    /**
     * The driver's own random choices, seeded from the run's seed: its draws leave the players' and
     * faults' choices of a seed as they were without it. Used under the lock.
     */
    private final Random rnd;

    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> Daemons.thread(r, "sim-admin"));
    private final long rollbackEveryMs;
    /** When the wipes are due, in order; {@code nextWipe} indexes the next. */
    private final long[] wipeAt;

    private int nextWipe;
    /** The cohort key retired for the next wipe, whose player is leaving; null if none. */
    private String toWipe;

    private long nextRollbackAt = Long.MAX_VALUE;
    /** An action is under way on the admin thread. */
    private boolean busy;

    AdminDriver(SimContext sim, ProfileStore<SimPlayerData> store, PlayerDriver players) {
        this.sim = sim;
        this.store = store;
        this.players = players;
        this.rnd = new Random(sim.cfg().seed() ^ 0x5eedad31L);
        List<String> cohort = players.cohort();
        int wipes = Math.min(sim.cfg().wipes(), Math.max(0, cohort.size() - 1));
        this.wipeKeys = cohort.subList(0, wipes);
        this.rollbackKeys = cohort.subList(wipes, cohort.size());
        this.rollbackEveryMs = sim.cfg().rollbacksPerMinute() > 0 && !rollbackKeys.isEmpty()
                ? Math.max(100, Math.round(60_000 / sim.cfg().rollbacksPerMinute()))
                : 0;
        this.wipeAt = new long[wipes];
    }

    /** Plans the run's actions: the first rollback after three seconds (versions must exist), the wipes spread evenly. */
    void begin(long startAt) {
        long duration = sim.cfg().duration().toMillis();
        if (rollbackEveryMs > 0) {
            nextRollbackAt = startAt + Math.max(3_000, rollbackEveryMs / 2);
        }
        for (int i = 0; i < wipeAt.length; i++) {
            wipeAt[i] = startAt + duration * (i + 1) / (wipeAt.length + 2);
        }
    }

    /** Starts the due action, unless one is under way. Caller holds the lock. */
    void step(long now) {
        if (busy) {
            return;
        }
        if (toWipe == null && nextWipe < wipeAt.length && now >= wipeAt[nextWipe]) {
            toWipe = retireOne();
        }
        if (toWipe != null && players.offlineIdle(toWipe)) {
            startWipe(toWipe, now);
            toWipe = null;
            nextWipe++;
            return;
        }
        if (now >= nextRollbackAt) {
            nextRollbackAt = startRollback(now) ? now + rollbackEveryMs : now + 250;
        }
    }

    /**
     * At the drain: starts the wipe whose player was retired and is now offline, if one is waiting
     * for that; true once no wipe waits. Caller holds the lock.
     */
    boolean wipeSettled(long now) {
        if (toWipe != null && !busy && players.offlineIdle(toWipe)) {
            startWipe(toWipe, now);
            toWipe = null;
            nextWipe++;
        }
        return toWipe == null;
    }

    /** Waits up to a minute for the action under way, and starts no more. Call without the lock. */
    void finish() throws InterruptedException {
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
    }

    /** Abandons the action under way (the run ended early or failed). */
    void abandon() {
        pool.shutdownNow();
    }

    // ---------------------------------------------------------------- rollbacks

    private boolean startRollback(long now) {
        List<String> online = new ArrayList<>();
        List<String> offline = new ArrayList<>();
        for (String key : rollbackKeys) {
            if (players.idle(key)) {
                (players.isOnline(key) ? online : offline).add(key);
            }
        }
        List<String> from = !online.isEmpty() && (offline.isEmpty() || rnd.nextInt(4) > 0) ? online : offline;
        if (from.isEmpty()) {
            return false;
        }
        String key = from.get(rnd.nextInt(from.size()));
        SimHistory.Rollback r = new SimHistory.Rollback(key, now, players.isOnline(key) ? players.epoch(key) : -1);
        int skip = 1 + rnd.nextInt(2);
        busy = true;
        players.hold(key, true);
        pool.execute(() -> rollback(r, skip));
        return true;
    }

    /** On the admin thread: rolls {@code r.key} back to the version {@code skip} behind the newest kept one. */
    private void rollback(SimHistory.Rollback r, int skip) {
        try {
            ProfileVersionQuery<SimPlayerData> q =
                    store.profileVersionQuery(r.key, SortDirection.DESCENDING, null, null);
            List<Profile<SimPlayerData>> newest = new ArrayList<>();
            for (Optional<Profile<SimPlayerData>> v; newest.size() <= skip && (v = q.next()).isPresent(); ) {
                newest.add(v.get());
            }
            if (newest.isEmpty()) {
                r.outcome = SimHistory.RollbackOutcome.NO_VERSION;
                return;
            }
            // skip the newest one or two, or fewer if the history is that short: even the newest kept
            // version is behind a player who played since
            r.version =
                    newest.get(Math.min(skip, newest.size() - 1)).getKeyInfo().version();
            Optional<Profile<SimPlayerData>> view = store.viewProfile(r.key, r.version);
            if (view.isEmpty()) {
                r.outcome = SimHistory.RollbackOutcome.PRUNED;
                return;
            }
            Profile<SimPlayerData> p = view.get();
            r.expectedEdits = p.getData().edits + (plant.contains(PLANT_WRONG_COUNTER) ? 1 : 0);
            p.clearGlobalUpdates(); // the cohort gets no gifts; a rollback must not bring old ones back either
            r.t0 = AuditingBackend.nowMicros();
            p.overwrite();
            r.t1 = AuditingBackend.nowMicros();
            r.outcome = SimHistory.RollbackOutcome.DONE;
        } catch (RuntimeException e) {
            r.t1 = AuditingBackend.nowMicros();
            r.outcome = SimHistory.RollbackOutcome.FAILED;
            r.error = String.valueOf(e);
        } finally {
            synchronized (sim.lock()) {
                if (r.outcome != SimHistory.RollbackOutcome.NO_VERSION) {
                    sim.history().rollbacks.add(r);
                } else {
                    nextRollbackAt = System.currentTimeMillis() + 500; // too early for this key: try soon
                }
                players.hold(r.key, false);
                busy = false;
            }
        }
    }

    // ---------------------------------------------------------------- wipes

    /** Retires an idle wipe-cohort player that played before (it leaves for good), or returns null if none is. */
    private String retireOne() {
        List<String> candidates = new ArrayList<>();
        for (String key : wipeKeys) {
            if (players.idle(key) && players.epoch(key) >= 0) {
                candidates.add(key);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        String key = candidates.get(rnd.nextInt(candidates.size()));
        players.retire(key);
        return key;
    }

    private void startWipe(String key, long now) {
        busy = true;
        SimHistory.Wipe w = new SimHistory.Wipe(key, now);
        pool.execute(() -> wipe(w));
    }

    /** On the admin thread: views an old version of {@code w.key}, wipes the key, then overwrites the stale view. */
    private void wipe(SimHistory.Wipe w) {
        try {
            ProfileVersionQuery<SimPlayerData> q =
                    store.profileVersionQuery(w.key, SortDirection.DESCENDING, null, null);
            Optional<Profile<SimPlayerData>> newest = q.next();
            Optional<Profile<SimPlayerData>> older = newest.isPresent() ? q.next() : Optional.empty();
            Optional<Profile<SimPlayerData>> pick = older.isPresent() ? older : newest;
            Profile<SimPlayerData> stale;
            if (pick.isPresent()) {
                w.version = pick.get().getKeyInfo().version();
                stale = store.viewProfile(w.key, w.version).orElse(null);
            } else {
                stale = null;
            }
            if (stale == null) {
                stale = store.viewProfile(w.key).orElse(null); // no version kept (yet): the latest data
            }
            if (stale != null) {
                w.staleEdits = stale.getData().edits;
            }
            boolean overwriteFirst = plant.contains(PLANT_OVERWRITE_BEFORE_WIPE);
            if (overwriteFirst && stale != null) {
                staleOverwrite(w, stale);
            }
            w.existed = store.wipeProfile(w.key);
            w.t1 = AuditingBackend.nowMicros();
            if (!overwriteFirst && stale != null) {
                staleOverwrite(w, stale);
            }
            w.recordAfter = store.viewProfile(w.key).isPresent();
            w.versionAfter =
                    w.version != null && store.viewProfile(w.key, w.version).isPresent();
        } catch (RuntimeException e) {
            w.error = String.valueOf(e);
        } finally {
            synchronized (sim.lock()) {
                sim.history().wipes.add(w);
                busy = false;
            }
        }
    }

    private static void staleOverwrite(SimHistory.Wipe w, Profile<SimPlayerData> stale) {
        try {
            stale.overwrite();
            w.stale = SimHistory.StaleOverwrite.SUCCEEDED;
        } catch (IllegalStateException expected) {
            w.stale = SimHistory.StaleOverwrite.REFUSED;
        } catch (RuntimeException e) {
            w.stale = SimHistory.StaleOverwrite.ERROR;
            w.staleError = String.valueOf(e);
        }
    }
}
