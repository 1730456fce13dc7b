package dev.profileservice.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.profileservice.ActiveSession;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.NotReleasedAction;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileServiceException;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One named profile store of an {@link Engine}: the load protocol (acquire, lease check, handler,
 * release request, steal), global-update sending and viewing.
 */
final class StoreImpl<T> implements ProfileStore<T> {
    private static final int INBOX_ATTEMPTS = 50;

    final Engine engine;
    final String name;
    private final JavaType dataType;
    private final byte[] templateBytes;

    StoreImpl(Engine engine, String name, T template) {
        this.engine = engine;
        this.name = name;
        this.dataType = engine.codec.dataType(template);
        try {
            this.templateBytes = engine.codec.mapper().writeValueAsBytes(template);
        } catch (Exception e) {
            throw new IllegalArgumentException("profile template of store '" + name + "' cannot be encoded as JSON: " + e.getMessage(), e);
        }
        newData(); // fails now, not at the first load, if the template does not decode back
    }

    JavaType dataType() {
        return dataType;
    }

    /** A fresh deep copy of the template. */
    T newData() {
        try {
            return engine.codec.mapper().readerFor(dataType).readValue(templateBytes);
        } catch (Exception e) {
            throw new IllegalArgumentException("profile template of store '" + name + "' cannot be decoded back from JSON into "
                    + dataType.toCanonical() + " (does it have a no-argument constructor?): " + e.getMessage(), e);
        }
    }

    @Override
    public String getName() {
        return name;
    }

    // ---------------------------------------------------------------- load

    @Override
    public Optional<Profile<T>> loadProfile(String key, NotReleasedHandler handler) {
        return Engine.join(loadProfileAsync(key, handler));
    }

    @Override
    public CompletableFuture<Optional<Profile<T>>> loadProfileAsync(String key, NotReleasedHandler handler) {
        try {
            return startLoad(key, handler);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Optional<Profile<T>>> startLoad(String key, NotReleasedHandler handler) {
        Names.key(key);
        if (handler == null) {
            throw new IllegalArgumentException("NotReleasedHandler must not be null (use NotReleasedHandler.FORCE_LOAD)");
        }
        if (engine.isLocked()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String slot = Engine.slot(name, key);
        Object marker = new Object();
        Object existing = engine.slots.putIfAbsent(slot, marker);
        if (existing != null) {
            if (existing instanceof ProfileImpl<?> p && !p.isActive()) {
                // released or releasing: load again once that release is durable
                return p.releaseFuture().handle((v, e) -> null).thenCompose(v -> loadProfileAsync(key, handler));
            }
            throw new IllegalStateException("profile '" + key + "' of store '" + name
                    + "' is already loaded (or loading) by this service; release it before loading it again");
        }
        Load load = new Load(key, slot, marker, handler);
        engine.io.execute(load::attempt);
        return engine.track(load.result);
    }

    /** One load in progress: a small state machine driven by store replies, timers and messages. */
    private final class Load {
        final String key;
        final String slot;
        final Object marker;
        final NotReleasedHandler handler;
        final CompletableFuture<Optional<Profile<T>>> result = new CompletableFuture<>();
        boolean forcing;
        long forceDeadline;
        long forcedEpoch;

        Load(String key, String slot, Object marker, NotReleasedHandler handler) {
            this.key = key;
            this.slot = slot;
            this.marker = marker;
            this.handler = handler;
        }

        void attempt() {
            if (engine.isLocked()) {
                finish(Optional.empty());
                return;
            }
            byte[] initial = initialPayload();
            engine.call("load of " + name + "/" + key, () -> engine.backend.acquire(name, key, engine.me, -1, initial), Engine.LOAD_ATTEMPTS)
                    .whenComplete((r, e) -> step(e, () -> {
                        if (r.acquired()) {
                            acquired(r.record(), initial);
                        } else {
                            held(r.record());
                        }
                    }));
        }

        void steal(long epoch) {
            byte[] initial = initialPayload();
            engine.call("steal of " + name + "/" + key, () -> engine.backend.acquire(name, key, engine.me, epoch, initial), Engine.LOAD_ATTEMPTS)
                    .whenComplete((r, e) -> step(e, () -> {
                        if (r.acquired()) {
                            acquired(r.record(), initial);
                        } else {
                            held(r.record());
                        }
                    }));
        }

        void held(StoredProfile record) {
            Owner owner = record.owner();
            if (owner == null) {
                attempt();
                return;
            }
            if (owner.serverId().equals(engine.me.serverId())) {
                // a session of ours that this service no longer tracks (its release never got through)
                steal(record.epoch());
                return;
            }
            if (forcing) {
                if (record.epoch() != forcedEpoch) {
                    finish(Optional.empty()); // another server took it while we waited: we lost the race
                    return;
                }
                if (engine.now() >= forceDeadline) {
                    steal(record.epoch());
                    return;
                }
            }
            engine.call("lease check of " + name + "/" + key, () -> engine.backend.server(owner.serverId()), Engine.LOAD_ATTEMPTS)
                    .whenComplete((lease, e) -> step(e, () -> afterLeaseCheck(record, owner, lease.orElse(null))));
        }

        void afterLeaseCheck(StoredProfile record, Owner owner, ServerLease lease) {
            if (Engine.ownerDead(lease)) {
                steal(record.epoch());
                return;
            }
            if (forcing) {
                waitThenAttempt();
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
                case CANCEL -> finish(Optional.empty());
                case REPEAT -> askThenAttempt(owner, "W");
                case FORCE_LOAD -> {
                    forcing = true;
                    forcedEpoch = record.epoch();
                    forceDeadline = engine.now() + engine.config.forceLoadTimeout().toMillis();
                    askThenAttempt(owner, "R");
                }
            }
        }

        void waitThenAttempt() {
            engine.waitForRelease(slot, engine.config.pollInterval()).thenRun(this::attempt);
        }

        /** Sends "R" (release it) or "W" (tell me when released) to the owner, waiting from before the send. */
        void askThenAttempt(Owner owner, String kind) {
            CompletableFuture<Void> wait = engine.waitForRelease(slot, engine.config.pollInterval());
            engine.publish(owner.serverId(), kind, name, key);
            wait.thenRun(this::attempt);
        }

        void acquired(StoredProfile record, byte[] initial) {
            if (engine.isLocked()) {
                giveBack(record);
                return;
            }
            ProfileImpl<T> profile;
            try {
                profile = open(key, record, Arrays.equals(record.payload(), initial));
            } catch (RuntimeException e) {
                giveBack(record);
                fail(e);
                return;
            }
            if (!engine.slots.replace(slot, marker, profile)) {
                fail(new IllegalStateException("load of " + name + "/" + key + " lost its slot"));
                return;
            }
            profile.start();
            result.complete(Optional.of(profile));
        }

        /** Frees a session taken while the service was closing (or when opening failed), leaving the payload as it was. */
        void giveBack(StoredProfile record) {
            byte[] payload = record.payload() != null ? record.payload() : initialPayload();
            engine.call("release of " + name + "/" + key,
                            () -> engine.backend.save(name, key, SaveRequest.of(engine.me.serverId(), record.epoch(), payload, true)),
                            Engine.LOAD_ATTEMPTS)
                    .whenComplete((r, e) -> finish(Optional.empty()));
        }

        void step(Throwable error, Runnable next) {
            if (error != null) {
                fail(error);
                return;
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        void fail(Throwable e) {
            engine.slots.remove(slot, marker);
            result.completeExceptionally(Engine.unwrap(e));
        }

        void finish(Optional<Profile<T>> value) {
            engine.slots.remove(slot, marker);
            result.complete(value);
        }
    }

    /**
     * The payload a profile loaded for the first time is created with, in the same atomic write as
     * its session (see {@link dev.profileservice.spi.Backend#acquire}): the template, created now,
     * loaded once. A view on any server sees the profile and its session from then on.
     */
    byte[] initialPayload() {
        return engine.codec.encodePayload(engine.now(), 1, newData(), Map.of(), List.of());
    }

    /**
     * Builds the active profile from the record just acquired; corrupt parts are quarantined first.
     *
     * @param created whether the acquire created the payload (it is the initial payload this load
     *                sent, which already counts this load), rather than finding one stored
     */
    private ProfileImpl<T> open(String key, StoredProfile record, boolean created) {
        Codec.Payload<T> payload = decodeOrQuarantine(key, record.payload(), true);
        Codec.Inbox inbox = decodeInboxOrQuarantine(key, record.inbox(), true);
        long createdAt = payload != null ? payload.created() : engine.now();
        long loads = (payload != null ? payload.loads() : 0) + (created ? 0 : 1);
        T data = payload != null ? payload.data() : newData();
        Map<String, Object> tags = payload != null ? payload.tags() : new java.util.LinkedHashMap<>();
        List<GlobalUpdate> locked = payload != null ? payload.locked() : List.of();
        // an unchanged profile must not be rewritten: remember the bytes as stored (a profile loaded
        // before differs in 'loads', so its first save writes once; a new one is stored as it is)
        return ProfileImpl.active(this, key, record.epoch(), createdAt, loads, data, tags, locked, inbox, record.inboxVersion(),
                record.payload(), record.inbox() != null && inbox == Codec.Inbox.EMPTY);
    }

    private Codec.Payload<T> decodeOrQuarantine(String key, byte[] bytes, boolean quarantine) {
        if (bytes == null) {
            return null;
        }
        try {
            return engine.codec.decodePayload(bytes, dataType);
        } catch (Codec.CorruptException e) {
            if (quarantine) {
                // on an I/O thread already; a failure fails the load and the bytes stay where they are
                engine.backend.quarantine(name, key, bytes, e.getMessage(), engine.now());
            }
            engine.corruption(name, key, e.getMessage());
            return null;
        }
    }

    private Codec.Inbox decodeInboxOrQuarantine(String key, byte[] bytes, boolean quarantine) {
        try {
            return engine.codec.decodeInbox(bytes);
        } catch (Codec.CorruptException e) {
            if (quarantine) {
                engine.backend.quarantine(name, key, bytes, "inbox: " + e.getMessage(), engine.now());
            }
            engine.corruption(name, key, "inbox: " + e.getMessage());
            return Codec.Inbox.EMPTY;
        }
    }

    // ---------------------------------------------------------------- global updates (sender side)

    @Override
    public Optional<GlobalUpdates> globalUpdateProfile(String key, Consumer<GlobalUpdates> handler) {
        return Engine.join(globalUpdateProfileAsync(key, handler));
    }

    @Override
    public CompletableFuture<Optional<GlobalUpdates>> globalUpdateProfileAsync(String key, Consumer<GlobalUpdates> handler) {
        try {
            Names.key(key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (handler == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("global update handler must not be null"));
        }
        if (engine.isLocked()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<GlobalUpdates>> result = new CompletableFuture<>();
        sendAttempt(key, handler, 1, result);
        return result;
    }

    private void sendAttempt(String key, Consumer<GlobalUpdates> handler, int n, CompletableFuture<Optional<GlobalUpdates>> result) {
        engine.call("global update read of " + name + "/" + key, () -> engine.backend.read(name, key), Engine.LOAD_ATTEMPTS)
                .thenCompose(record -> {
                    Codec.Inbox inbox = decodeInboxOrQuarantine(key, record.inbox(), false);
                    if (record.inbox() != null && inbox == Codec.Inbox.EMPTY) {
                        throw new ProfileServiceException("the global updates of " + name + "/" + key
                                + " cannot be decoded; load the profile once to set them aside and start afresh");
                    }
                    Codec.Payload<T> payload = decodeOrQuarantine(key, record.payload(), false);
                    UpdatesView view = UpdatesView.handler(engine.codec, inbox, payload == null ? List.of() : payload.locked());
                    try {
                        handler.accept(view);
                    } finally {
                        view.close();
                    }
                    if (!view.changed()) {
                        return CompletableFuture.completedFuture(Optional.<GlobalUpdates>of(
                                UpdatesView.readOnly(inbox.active(), view.getLockedUpdates())));
                    }
                    byte[] bytes = engine.codec.encodeInbox(view.inbox());
                    if (bytes.length > engine.config.maxDataBytes()) {
                        throw new IllegalArgumentException("global updates of " + name + "/" + key + " would be " + bytes.length
                                + " bytes, over the limit of " + engine.config.maxDataBytes() + "; nothing was sent");
                    }
                    return engine.call("global update write of " + name + "/" + key,
                                    () -> engine.backend.writeInbox(name, key, record.inboxVersion(), bytes), Engine.LOAD_ATTEMPTS)
                            .thenApply(written -> {
                                if (written.isEmpty()) {
                                    return null; // another sender or the owner wrote first: run the handler again
                                }
                                if (written.get().owner() != null) {
                                    engine.publish(written.get().owner().serverId(), "U", name, key);
                                }
                                return Optional.<GlobalUpdates>of(UpdatesView.readOnly(view.inbox().active(), view.getLockedUpdates()));
                            });
                })
                .whenComplete((value, error) -> {
                    if (error != null) {
                        result.completeExceptionally(Engine.unwrap(error));
                    } else if (value != null) {
                        result.complete(value);
                    } else if (n >= INBOX_ATTEMPTS) {
                        result.completeExceptionally(new ProfileServiceException("global update of " + name + "/" + key
                                + " kept conflicting with other writers after " + n + " attempts"));
                    } else {
                        engine.io.execute(() -> sendAttempt(key, handler, n + 1, result));
                    }
                });
    }

    // ---------------------------------------------------------------- view

    @Override
    public Optional<Profile<T>> viewProfile(String key) {
        Names.key(key);
        if (engine.isLocked()) {
            return Optional.empty();
        }
        StoredProfile record = Engine.join(engine.call("view of " + name + "/" + key,
                () -> engine.backend.read(name, key), Engine.LOAD_ATTEMPTS));
        if (record.payload() == null) {
            return Optional.empty();
        }
        Codec.Payload<T> payload = decodeOrQuarantine(key, record.payload(), false);
        Codec.Inbox inbox = decodeInboxOrQuarantine(key, record.inbox(), false);
        T data = payload != null ? payload.data() : newData();
        ActiveSession session = record.owner() == null ? null : new ActiveSession(record.owner().placeId(), record.owner().jobId());
        return Optional.of(ProfileImpl.view(this, key, payload == null ? engine.now() : payload.created(),
                payload == null ? 0 : payload.loads(), data, payload == null ? Map.of() : payload.tags(),
                payload == null ? List.of() : payload.locked(), inbox, session));
    }
}
