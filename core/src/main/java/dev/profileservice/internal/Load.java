package dev.profileservice.internal;

import dev.profileservice.NotReleasedAction;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileServiceObserver.LoadOutcome;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.VersionCause;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One load in progress: taking a profile's session, a small state machine driven by store
 * replies, timers and messages.
 *
 * <ol>
 *   <li><b>Acquire</b> ({@link dev.profileservice.spi.Backend#acquire} with epoch -1): takes a free
 *       record, creating it with the template on a first load, in one atomic write.</li>
 *   <li><b>Held</b>: read the owner's lease (its server's heartbeat row). An owner whose lease ran
 *       out more than {@link #STEAL_GRACE} ago on the store's clock is dead: <b>steal</b> (acquire
 *       with the epoch just seen, so only that session is taken over).</li>
 *   <li>A live owner: ask the game's {@link NotReleasedHandler}. CANCEL ends the load empty.
 *       REPEAT asks the owner to say when it releases, waits (at most a poll interval) and goes
 *       back to 1. FORCE_LOAD asks the owner to release now and waits likewise; after
 *       {@code forceLoadTimeout} of this server's own time, it steals (provided the epoch did not
 *       move: if another server took the profile meanwhile, the load lost the race and ends
 *       empty).</li>
 *   <li><b>Acquired</b>: the record is decoded (corrupt parts set aside first) into an
 *       {@link ActiveProfile}, which joins the auto-save wheel.</li>
 * </ol>
 * A record that names this server as owner but is not tracked here (a release whose reply was
 * lost) is stolen back at once. A service that closes meanwhile gives a taken session back.
 *
 * <p>Threads: every step runs on an I/O thread (store replies) or is queued there (timers,
 * messages); the handler runs on an I/O thread too.
 */
final class Load<T> {
    /** A dead owner's profiles are taken this long after its lease ran out, on the store's clock: margin for its last heartbeat in flight. */
    static final Duration STEAL_GRACE = Duration.ofSeconds(1);

    private final StoreImpl<T> store;
    private final Engine engine;
    private final String key;
    private final String slot;
    private final Object marker;
    private final NotReleasedHandler handler;
    final CompletableFuture<Optional<Profile<T>>> result = new CompletableFuture<>();
    /** The live owner a STEAL answer takes the profile from (told once it is taken), or null. */
    private Owner stolenFrom;
    /** The session {@link #stolenFrom} held when this load stole it. */
    private long stolenEpoch;

    private boolean forcing;
    private long forceDeadline;
    private long forcedEpoch;

    /** When the load was asked for ({@link Observation#nanos()}: 0 when nobody observes). */
    private final long started;
    /** Whether the load found the profile held by another server, and when it first did. */
    private boolean wasHeld;

    private long heldSince;

    /**
     * @param marker what holds the local slot while loading (replaced by the profile when loaded)
     */
    Load(StoreImpl<T> store, String key, Object marker, NotReleasedHandler handler) {
        this.store = store;
        this.engine = store.engine;
        this.key = key;
        this.slot = Engine.slot(store.name, key);
        this.marker = marker;
        this.handler = handler;
        this.started = engine.observe.nanos();
    }

    /**
     * Whether the owner's server stopped heartbeating more than a lease plus {@link #STEAL_GRACE}
     * ago, as the store's clock judged it when {@code lease} was read (never by this server's clock:
     * see {@link dev.profileservice.spi.LeaseClock}). No heartbeat row at all means dead.
     */
    static boolean ownerDead(ServerLease lease) {
        return lease == null || lease.expiredFor(STEAL_GRACE.toMillis());
    }

    /** Step 1: take the record if it is free. */
    void attempt() {
        if (engine.isLocked()) {
            finish(LoadOutcome.CANCELLED);
            return;
        }
        acquire("load", -1);
    }

    /** Takes the record if its epoch is still {@code epoch}, whoever owns it. */
    private void steal(long epoch) {
        acquire("steal", epoch);
    }

    private void acquire(String what, long expectedEpoch) {
        byte[] initial = store.initialPayload();
        engine.call(
                        what + " of " + store.name + "/" + key,
                        () -> engine.backend.acquire(store.name, key, engine.me, expectedEpoch, initial),
                        Engine.CALL_ATTEMPTS)
                .whenComplete((r, error) -> {
                    if (error != null) {
                        fail(error);
                        if (Engine.unwrap(error).getCause() instanceof BackendException b && b.isTransient()) {
                            freeIfTakenUnseen(); // the last attempt may have been applied, its reply lost
                        }
                        return;
                    }
                    try {
                        if (r.acquired()) {
                            acquired(r.record(), Arrays.equals(r.record().payload(), initial));
                        } else {
                            held(r.record());
                        }
                    } catch (RuntimeException e) {
                        fail(e);
                    }
                });
    }

    /**
     * After a load failed on an acquire whose outcome is unknown: if the store names this server as
     * the owner while this service holds no session or load of the key, that acquire was applied
     * and its reply lost. Nobody would ever release that session (this server's heartbeat keeps its
     * lease alive), so every other server's load would wait for a FORCE_LOAD. Release it, fenced
     * on the epoch read, payload as stored. Runs on the I/O pool; a failure is only reported.
     */
    private void freeIfTakenUnseen() {
        String what = "release of " + store.name + "/" + key + " after a load whose last acquire went unanswered";
        engine.call(what, () -> engine.backend.read(store.name, key), Engine.CALL_ATTEMPTS)
                .thenCompose(record -> {
                    Owner owner = record.owner();
                    if (owner == null
                            || !owner.serverId().equals(engine.me.serverId())
                            || engine.slots.containsKey(slot)
                            || record.payload() == null) {
                        return CompletableFuture.completedFuture(null);
                    }
                    engine.issue(store.name + "/" + key + " was taken by this server's last load attempt, whose"
                            + " reply was lost; releasing it");
                    return engine.call(
                            what,
                            () -> engine.backend.save(
                                    store.name,
                                    key,
                                    SaveRequest.of(engine.me.serverId(), record.epoch(), record.payload(), true)),
                            Engine.CALL_ATTEMPTS);
                })
                .whenComplete((v, e) -> {
                    if (e != null) {
                        engine.issue(what + " failed: " + Engine.unwrap(e).getMessage());
                    }
                });
    }

    /** Step 2: someone holds it (or it was freed meanwhile). */
    private void held(StoredProfile record) {
        Owner owner = record.owner();
        if (owner == null) {
            attempt();
            return;
        }
        if (owner.serverId().equals(engine.me.serverId())) {
            steal(record.epoch()); // a session of ours that this service no longer tracks (its release never got
            // through)
            return;
        }
        if (!wasHeld) {
            wasHeld = true;
            heldSince = engine.observe.nanos();
        }
        if (forcing) {
            if (record.epoch() != forcedEpoch) {
                finish(LoadOutcome.LOST_RACE); // another server took it while we waited
                return;
            }
            if (engine.now() >= forceDeadline) {
                steal(record.epoch());
                return;
            }
        }
        call(
                "lease check",
                () -> engine.backend.server(owner.serverId()),
                lease -> afterLeaseCheck(record, owner, lease.orElse(null)));
    }

    /** Step 3: the owner is dead (steal) or alive (ask the handler, or keep forcing). */
    private void afterLeaseCheck(StoredProfile record, Owner owner, ServerLease lease) {
        if (ownerDead(lease)) {
            steal(record.epoch());
            return;
        }
        if (forcing) {
            engine.handOver
                    .waitForRelease(slot, engine.settings().pollInterval())
                    .thenRun(this::attempt);
            return;
        }
        NotReleasedAction action;
        try {
            action = handler.onNotReleased(owner.placeId(), owner.jobId());
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (action == null) {
            fail(new IllegalStateException("the NotReleasedHandler of load '" + key + "' returned null"));
            return;
        }
        switch (action) {
            case CANCEL -> finish(LoadOutcome.CANCELLED);
            case REPEAT ->
                askThenAttempt(
                        () -> engine.handOver.send(owner.serverId(), Message.Kind.NOTIFY_ON_RELEASE, store.name, key));
            case STEAL -> {
                stolenFrom = owner;
                stolenEpoch = record.epoch();
                steal(record.epoch());
            }
            case FORCE_LOAD -> {
                forcing = true;
                forcedEpoch = record.epoch();
                forceDeadline =
                        engine.now() + engine.settings().forceLoadTimeout().toMillis();
                askThenAttempt(() -> engine.handOver.askToRelease(owner.serverId(), store.name, key, forcedEpoch));
            }
        }
    }

    /** Asks the owner, waiting (for its answer or a poll interval) from before the ask, so a fast answer is not missed. */
    private void askThenAttempt(Runnable ask) {
        CompletableFuture<Void> wait =
                engine.handOver.waitForRelease(slot, engine.settings().pollInterval());
        ask.run();
        wait.thenRun(this::attempt);
    }

    /** Step 4: ours. */
    private void acquired(StoredProfile record, boolean createdNow) {
        if (engine.isLocked()) {
            giveBack(record).whenComplete((r, e) -> finish(LoadOutcome.CANCELLED));
            return;
        }
        ActiveProfile<T> profile;
        try {
            profile = store.open(key, record, createdNow);
        } catch (RuntimeException e) {
            // the load fails once the session is free again, so the caller never sees its own lock
            giveBack(record).whenComplete((r, ignored) -> fail(e));
            return;
        }
        if (profile.migrated()
                && engine.settings().versionHistory()
                && engine.backend.history().isPresent()) {
            keepPreMigrationVersion(record, profile);
            return;
        }
        activate(profile);
    }

    /**
     * The data was migrated: before the game sees it, keep the data as stored (before the migration)
     * as a version of the history, cause migration, in a fenced save of the same bytes by this
     * session; then go on. A failure gives the session back and fails the load.
     */
    private void keepPreMigrationVersion(StoredProfile record, ActiveProfile<T> profile) {
        engine.call(
                        "keeping the pre-migration version of " + store.name + "/" + key,
                        () -> engine.backend.save(
                                store.name,
                                key,
                                new SaveRequest(
                                        engine.me.serverId(),
                                        record.epoch(),
                                        record.payload(),
                                        false,
                                        java.util.List.of(),
                                        VersionCause.MIGRATION)),
                        Engine.CALL_ATTEMPTS)
                .whenComplete((r, e) -> {
                    if (e == null && r.status() == SaveResult.Status.SAVED) {
                        engine.observe.versionWritten(store.name, VersionCause.MIGRATION);
                        profile.storedRevision(r.record().revision());
                        activate(profile);
                        return;
                    }
                    Throwable failure = e != null
                            ? e
                            : new IllegalStateException("load of " + store.name + "/" + key
                                    + ": keeping the pre-migration version was refused (" + r.status() + ")");
                    giveBack(record).whenComplete((given, ignored) -> fail(failure));
                });
    }

    /** The profile is this service's: it takes its slot and starts saving. */
    private void activate(ActiveProfile<T> profile) {
        if (!engine.slots.replace(slot, marker, profile)) {
            fail(new IllegalStateException("load of " + store.name + "/" + key + " lost its slot"));
            return;
        }
        profile.start();
        if (stolenFrom != null) {
            // its next write is refused anyway; asked to release, it finds out now, not at its next save
            engine.handOver.askToRelease(stolenFrom.serverId(), store.name, key, stolenEpoch);
        }
        if (wasHeld) {
            engine.observe.handOverWaited(store.name, heldSince);
        }
        engine.observe.loadFinished(store.name, LoadOutcome.LOADED, started);
        result.complete(Optional.of(profile));
    }

    /**
     * Frees a session taken while the service was closing (or when opening failed), leaving the
     * payload as it was; completes when that release is done or has failed (reported).
     */
    private CompletableFuture<?> giveBack(StoredProfile record) {
        byte[] payload = record.payload() != null ? record.payload() : store.initialPayload();
        return engine.call(
                        "release of " + store.name + "/" + key,
                        () -> engine.backend.save(
                                store.name, key, SaveRequest.of(engine.me.serverId(), record.epoch(), payload, true)),
                        Engine.CALL_ATTEMPTS)
                .handle((r, e) -> r);
    }

    /** A store call of this load, retried by the engine; then {@code next} with its value, or the load fails. */
    private <R> void call(String what, Supplier<R> op, java.util.function.Consumer<R> next) {
        engine.call(what + " of " + store.name + "/" + key, op, Engine.CALL_ATTEMPTS)
                .whenComplete((value, error) -> {
                    if (error != null) {
                        fail(error);
                        return;
                    }
                    try {
                        next.accept(value);
                    } catch (RuntimeException e) {
                        fail(e);
                    }
                });
    }

    private void fail(Throwable e) {
        engine.slots.remove(slot, marker);
        engine.observe.loadFinished(store.name, LoadOutcome.FAILED, started);
        result.completeExceptionally(Engine.unwrap(e));
    }

    /** Ends the load empty ({@code outcome}: why). */
    private void finish(LoadOutcome outcome) {
        engine.slots.remove(slot, marker);
        engine.observe.loadFinished(store.name, outcome, started);
        result.complete(Optional.empty());
    }
}
