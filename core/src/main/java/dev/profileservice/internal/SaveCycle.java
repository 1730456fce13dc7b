package dev.profileservice.internal;

import dev.profileservice.ProfileServiceObserver.SaveOutcome;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.VersionCause;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The save cycle of one active profile, an explicit state machine: when a sync (a fenced save, or
 * a read when nothing changed) runs, how requests coalesce, how failures retry, and how a release
 * ends the session. Its states are the ones of the protocol model in {@code spec/}.
 *
 * <pre>
 * session:  ACTIVE --release()--> RELEASING --final save durable--> RELEASED
 *              \______________ save refused (LOST_SESSION) _______/
 *
 * sync:     IDLE --request--> QUEUED --begin--> WRITING --done--> IDLE
 *                               ^                 |  |
 *                               |   again, rebase |  | failed
 *                               +-----------------+  v
 *                               +------retry------ BACKOFF
 * </pre>
 *
 * <ul>
 *   <li>At most one sync per profile is queued or running. A request while QUEUED or BACKOFF joins
 *       the coming sync (which encodes the data as it is then); a request while WRITING sets
 *       {@code again}, so exactly one more sync follows.</li>
 *   <li>A failed sync goes to BACKOFF and nothing may overtake it: the retry writes the latest
 *       data. When the store itself failed, the retry also runs the moment the store is back
 *       ({@link StoreRecovery}), releases first.</li>
 *   <li>A release sets RELEASING; the next sync is the final one and frees the session in the same
 *       fenced write. A refused save ends the session at once (RELEASED), and the profile's release
 *       listeners fire.</li>
 *   <li>Every transition is checked against {@link #TRANSITIONS}; an illegal one is a bug and
 *       throws.</li>
 * </ul>
 *
 * <p>Threads: {@link #request} from any thread (game threads, the auto-save wheel on the
 * scheduler, I/O threads); {@link #begin} and the outcome callbacks on I/O threads (the batcher's
 * flushers). State changes are guarded by this object's monitor; the data it encodes is guarded by
 * the profile's data lock.
 */
final class SaveCycle implements SaveBatcher.Sync {
    private static final Logger LOG = LoggerFactory.getLogger(SaveCycle.class);

    /** The session's lifecycle. */
    enum Lifecycle {
        ACTIVE,
        RELEASING,
        RELEASED
    }

    /** Where the sync of this profile is. */
    enum Phase {
        IDLE,
        QUEUED,
        WRITING,
        BACKOFF
    }

    /** The legal moves of {@link Phase}. */
    static final Map<Phase, Set<Phase>> TRANSITIONS = new EnumMap<>(Map.of(
            Phase.IDLE, EnumSet.of(Phase.QUEUED),
            Phase.QUEUED, EnumSet.of(Phase.WRITING, Phase.BACKOFF, Phase.IDLE),
            Phase.WRITING, EnumSet.of(Phase.IDLE, Phase.QUEUED, Phase.BACKOFF),
            Phase.BACKOFF, EnumSet.of(Phase.QUEUED, Phase.IDLE)));

    private final ActiveProfile<?> profile;
    private final Engine engine;
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private volatile Lifecycle lifecycle = Lifecycle.ACTIVE;
    private Phase phase = Phase.IDLE;
    /** A request arrived while WRITING: run once more after it. */
    private boolean again;

    private boolean releaseWanted;
    /** The game asked for the coming save ({@code Profile.save()}): its version's cause is SAVE. */
    private boolean askedByGame;
    /**
     * When this session last wrote a kept version (its load, before that): auto-saves are kept at
     * most once per {@code versionInterval}. Touched by the one sync running at a time.
     */
    private long lastKeptMillis;

    private int failures;
    /** Whether the retry now running was woken early by {@link StoreRecovery}. */
    private volatile boolean retryWokenEarly;

    /** The sync now running is still to be reported to the observer (see {@link #report}); set only when observed. */
    private boolean syncUnreported;
    /** When the sync now running began ({@link Observation#nanos()}). */
    private long syncStart;

    SaveCycle(ActiveProfile<?> profile, Engine engine) {
        this.profile = profile;
        this.engine = engine;
        this.lastKeptMillis = engine.now();
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    /**
     * The profile's name rather than the object's identity, so the auto-save wheel's buckets iterate
     * in one order on every run and a simulation seed replays exactly. Equality stays identity.
     */
    @Override
    public int hashCode() {
        return profile.identify().hashCode();
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    /** Completes when the session has ended (the final save is durable, or it was lost). */
    CompletableFuture<Void> released() {
        return released;
    }

    private void move(Phase to) {
        if (!TRANSITIONS.get(phase).contains(to)) {
            throw new IllegalStateException("save cycle of " + profile + ": no move from " + phase + " to " + to);
        }
        phase = to;
    }

    // ---------------------------------------------------------------- requests

    /** Asks for a sync soon (a release asks for the final one). Coalesces with one already pending. */
    void request(boolean release) {
        boolean submit;
        synchronized (this) {
            if (lifecycle == Lifecycle.RELEASED) {
                return;
            }
            releaseWanted |= release;
            submit = phase == Phase.IDLE;
            if (submit) {
                move(Phase.QUEUED);
            } else if (phase == Phase.WRITING) {
                again = true;
            }
        }
        if (submit) {
            queue(release);
        }
    }

    /** A save the game asked for ({@code Profile.save()}): as {@link #request}, and kept in the history as SAVE. */
    void requestByGame() {
        synchronized (this) {
            askedByGame = true;
        }
        request(false);
    }

    /** For the auto-save wheel: whether this active profile now owes the batcher a sync (the wheel submits it). */
    boolean claimAutoSave() {
        synchronized (this) {
            if (lifecycle != Lifecycle.ACTIVE || phase != Phase.IDLE) {
                if (phase == Phase.WRITING) {
                    again = true;
                }
                return false;
            }
            move(Phase.QUEUED);
            return true;
        }
    }

    /** Starts the release: RELEASING, then the final sync. Returns false if it had begun already. */
    boolean beginRelease() {
        synchronized (this) {
            if (lifecycle != Lifecycle.ACTIVE) {
                return false;
            }
            lifecycle = Lifecycle.RELEASING;
        }
        request(true);
        return true;
    }

    private void queue(boolean first) {
        if (first) {
            engine.saver.submitFirst(this); // someone may be waiting for this release: ahead of auto-saves
        } else {
            engine.saver.submit(this);
        }
    }

    // ---------------------------------------------------------------- one sync

    /** Called by the batcher on an I/O thread: encodes the next write, or handles the sync here when there is nothing to write. */
    @Override
    public SaveBatcher.PendingSave begin() {
        boolean release;
        boolean byGame;
        synchronized (this) {
            if (lifecycle == Lifecycle.RELEASED) {
                move(Phase.IDLE);
                return null;
            }
            move(Phase.WRITING);
            again = false;
            release = releaseWanted;
            byGame = askedByGame;
            askedByGame = false;
        }
        if (engine.observe.on) {
            syncUnreported = true;
            syncStart = engine.observe.nanos();
        }
        SyncWrite s;
        try {
            s = profile.snapshot(release);
        } catch (RuntimeException e) {
            failed(release, e);
            return null;
        }
        profile.announceRecoveredLocks();
        if (!s.write()) {
            engine.io.execute(() -> checkSession(false)); // a read, on its own I/O task: it must not hold up the batch
            return null;
        }
        VersionCause keepAs = keepAs(s.release(), byGame);
        SaveItem item = new SaveItem(
                profile.storeName(),
                profile.getKey(),
                new SaveRequest(
                        engine.me.serverId(),
                        profile.epoch(),
                        s.payload(),
                        s.release(),
                        s.consume(),
                        keepAs,
                        s.userIds()));
        return new SaveBatcher.PendingSave() {
            @Override
            public SaveItem item() {
                return item;
            }

            @Override
            public void complete(SaveResult result) {
                if (keepAs != null && result.status() == SaveResult.Status.SAVED) {
                    lastKeptMillis = engine.now();
                    engine.observe.versionWritten(profile.storeName(), keepAs);
                    if (keepAs == VersionCause.MIGRATION) {
                        profile.migrationWritten();
                    }
                }
                try {
                    outcome(s, result);
                } catch (RuntimeException e) {
                    failed(s.release(), e);
                }
            }

            @Override
            public void fail(RuntimeException e) {
                profile.outcomeUnknown(s);
                failed(s.release(), e);
            }
        };
    }

    /**
     * Whether the store keeps this save as a version, and why: a release always (SHUTDOWN while the
     * service closes); a save or auto-save once per {@code versionInterval}; else null.
     */
    private VersionCause keepAs(boolean release, boolean byGame) {
        if (!engine.settings().versionHistory()) {
            return null;
        }
        if (profile.migrated()) {
            return VersionCause.MIGRATION; // the first write of migrated data, kept whatever the interval
        }
        if (release) {
            return engine.isLocked() ? VersionCause.SHUTDOWN : VersionCause.RELEASE;
        }
        if (engine.now() - lastKeptMillis < engine.settings().versionInterval().toMillis()) {
            return null;
        }
        return byGame ? VersionCause.SAVE : VersionCause.AUTO_SAVE;
    }

    private void outcome(SyncWrite s, SaveResult result) {
        succeeded();
        switch (result.status()) {
            case SAVED -> {
                report(SaveOutcome.SAVED);
                boolean behind = profile.saved(s, result.record());
                if (s.release()) {
                    finish(false);
                    profile.pruneHistory(); // off the save path: the session is over
                    return;
                }
                if (behind) {
                    // new gifts arrived: read them now, so the next save locks them with whatever else
                    // changed (during a storm: one read and one save per round, not a save in between)
                    engine.io.execute(() -> checkSession(true));
                    return;
                }
            }
            case LOST_SESSION -> {
                lost(result.record());
                return;
            }
            case UPDATES_CHANGED -> {
                report(SaveOutcome.CONFLICT);
                // a sender changed or cleared an update this save consumed: read them, then save again
                engine.io.execute(() -> checkSession(true));
                return;
            }
        }
        done();
    }

    /**
     * One read (without the payload) checks the session and picks up new gifts: when nothing
     * changed since the last save, and to rebase after {@code UPDATES_CHANGED} ({@code rebase}:
     * then the save runs again at once).
     */
    private void checkSession(boolean rebase) {
        StoredProfile record;
        try {
            record = engine.backend.readUpdates(profile.storeName(), profile.getKey());
        } catch (RuntimeException e) {
            failed(false, e);
            return;
        }
        succeeded();
        if (record.epoch() != profile.epoch()
                || record.owner() == null
                || !record.owner().serverId().equals(engine.me.serverId())) {
            lost(record);
            return;
        }
        report(SaveOutcome.UNCHANGED); // a no-op after a save (rebase): that save was reported
        profile.adopt(record);
        if (rebase) {
            synchronized (this) {
                again = true;
            }
        }
        done();
    }

    /** Tells the observer how the sync now running ended, once. */
    private void report(SaveOutcome outcome) {
        if (syncUnreported) {
            syncUnreported = false;
            engine.observe.saveFinished(profile.storeName(), outcome, syncStart);
        }
    }

    private void succeeded() {
        failures = 0;
        retryWokenEarly = false;
    }

    /** The sync is over: IDLE, or QUEUED once more if a request came meanwhile or the release is due. */
    private void done() {
        boolean run;
        boolean release;
        synchronized (this) {
            release = releaseWanted && lifecycle == Lifecycle.RELEASING;
            run = lifecycle != Lifecycle.RELEASED && (again || release);
            move(run ? Phase.QUEUED : Phase.IDLE);
        }
        if (run) {
            queue(release);
        }
    }

    /**
     * A sync failed: report it and retry after a backoff (BACKOFF), so nothing overtakes it. When the
     * store itself failed, the retry also runs the moment the store is back, unless this attempt
     * was such an early retry (then the call's own problem waits its backoff in full).
     */
    private void failed(boolean release, RuntimeException e) {
        synchronized (this) {
            move(Phase.BACKOFF);
        }
        report(SaveOutcome.FAILED);
        failures++;
        String what = (release ? "release" : "save") + " of " + profile.storeName() + "/" + profile.getKey();
        if (e instanceof BackendException || e instanceof IllegalArgumentException) {
            engine.issue(what + " failed (attempt " + failures + "), retrying: " + e.getMessage());
        } else {
            LOG.error("unexpected error in the {}", what, e);
            engine.issue(what + " failed: " + e);
        }
        boolean storeFailed = e instanceof BackendException b && b.isTransient();
        if (storeFailed && !retryWokenEarly) {
            engine.recovery.retryAfter(
                    engine.backoff(failures), release ? StoreRecovery.Kind.RELEASE : StoreRecovery.Kind.SAVE, early -> {
                        retryWokenEarly = early;
                        retry();
                    });
        } else {
            retryWokenEarly = false;
            engine.after(engine.backoff(failures), this::retry);
        }
    }

    private void retry() {
        boolean release;
        synchronized (this) {
            if (phase != Phase.BACKOFF) {
                return; // the session ended meanwhile
            }
            move(Phase.QUEUED);
            release = releaseWanted;
        }
        queue(release);
    }

    // ---------------------------------------------------------------- the end of the session

    /** The store refused our write: another server holds the profile now (or a release had applied already). */
    private void lost(StoredProfile record) {
        if (lifecycle == Lifecycle.RELEASING && record.owner() == null && record.epoch() == profile.epoch()) {
            // a retried release whose first attempt was applied but whose reply was lost: released, not lost
            LOG.debug("release of {} had already been applied", profile);
            report(SaveOutcome.SAVED);
            finish(false);
            return;
        }
        LOG.warn(
                "profile {} was taken over (our epoch {}, store epoch {}, owner {}); it is no longer active",
                profile,
                profile.epoch(),
                record.epoch(),
                record.owner());
        report(SaveOutcome.REFUSED);
        boolean wasActive = lifecycle == Lifecycle.ACTIVE;
        finish(true);
        if (wasActive) {
            profile.announceRelease();
        }
    }

    /** RELEASED: the session is over ({@code lost}: another server took it); the slot is free and whoever waits for it is told. */
    private void finish(boolean lost) {
        boolean first;
        synchronized (this) {
            first = lifecycle != Lifecycle.RELEASED;
            lifecycle = Lifecycle.RELEASED;
            phase = Phase.IDLE;
            again = false;
        }
        profile.ended();
        if (first) {
            engine.observe.sessionEnded(profile.storeName(), lost); // after the slot is free: the active gauge agrees
        }
        released.complete(null);
    }
}
