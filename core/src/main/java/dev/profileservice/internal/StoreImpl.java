package dev.profileservice.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.profileservice.DataModel;
import dev.profileservice.DataModelException;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import dev.profileservice.ProfileVersionQuery;
import dev.profileservice.SortDirection;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.StoredProfile;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One named profile store of an {@link Engine}: starts loads ({@link Load}), opens what they
 * acquired ({@link ActiveProfile}), sends global updates and makes views ({@link ProfileView}).
 */
final class StoreImpl<T> implements ProfileStore<T> {
    private static final int INBOX_ATTEMPTS = 50;

    final Engine engine;
    final String name;
    private final JavaType dataType;
    private final byte[] templateBytes;
    /** The data's version, migration steps and validator. */
    final DataModel<T> model;
    /** Versions, their views and the rollback. */
    final ProfileHistory<T> history;

    StoreImpl(Engine engine, String name, T template, DataModel<T> model) {
        this.engine = engine;
        this.name = name;
        this.model = model;
        for (int v = 1; v < model.version(); v++) {
            try {
                model.step(v);
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException("profile store '" + name + "': " + e.getMessage(), e);
            }
        }
        this.dataType = engine.codec.dataType(template);
        try {
            this.templateBytes = engine.codec.mapper().writeValueAsBytes(template);
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "profile template of store '" + name + "' cannot be encoded as JSON: " + e.getMessage(), e);
        }
        newData(); // fails now, not at the first load, if the template does not decode back
        this.history = new ProfileHistory<>(this);
    }

    JavaType dataType() {
        return dataType;
    }

    /** A fresh deep copy of the template. */
    T newData() {
        try {
            return engine.codec.mapper().readerFor(dataType).readValue(templateBytes);
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "profile template of store '" + name + "' cannot be decoded back from JSON into "
                            + dataType.toCanonical() + " (does it have a no-argument constructor?): " + e.getMessage(),
                    e);
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
            throw new IllegalArgumentException(
                    "NotReleasedHandler must not be null (use NotReleasedHandler.FORCE_LOAD)");
        }
        if (engine.isLocked()) {
            engine.observe.loadFinished(name, dev.profileservice.ProfileServiceObserver.LoadOutcome.CANCELLED, 0);
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String slot = Engine.slot(name, key);
        Object marker = new Object();
        Object existing = engine.slots.putIfAbsent(slot, marker);
        if (existing != null) {
            if (existing instanceof ActiveProfile<?> p && !p.isActive()) {
                // released or releasing: load again once that release is durable
                return p.releaseFuture().handle((v, e) -> null).thenCompose(v -> loadProfileAsync(key, handler));
            }
            throw new IllegalStateException("profile '" + key + "' of store '" + name
                    + "' is already loaded (or loading) by this service; release it before loading it again");
        }
        Load<T> load = new Load<>(this, key, marker, handler);
        engine.io.execute(load::attempt);
        return engine.track(load.result);
    }

    /**
     * The payload a profile loaded for the first time is created with, in the same atomic write as
     * its session (see {@link dev.profileservice.spi.Backend#acquire}): the template, created now,
     * loaded once. A view on any server sees the profile and its session from then on.
     */
    byte[] initialPayload() {
        return engine.codec.encodePayload(engine.now(), 1, newData(), Map.of(), List.of(), List.of(), model.version());
    }

    /**
     * Builds the active profile from the record just acquired; corrupt parts are quarantined first.
     *
     * @param created whether the acquire created the payload (it is the initial payload this load
     *                sent, which already counts this load), rather than finding one stored
     */
    ActiveProfile<T> open(String key, StoredProfile record, boolean created) {
        Codec.Payload<T> stored = decodeOrQuarantine(key, record.payload(), true); // a session: newer data refused
        Codec.Inbox inbox = engine.codec.decodeInbox(record);
        inbox.corrupt().forEach(u -> setAside(key, u)); // the first save consumes them
        Codec.Payload<T> payload = stored != null ? stored : emptyPayload();
        // this load counts, unless the acquire just stored the initial payload, which counts it already
        Codec.Payload<T> loaded = new Codec.Payload<>(
                payload.created(),
                payload.loads() + (created ? 0 : 1),
                payload.data(),
                payload.tags(),
                payload.locked(),
                payload.userIds(),
                payload.dataVersion());
        T data = engine.settings().reconcileOnLoad()
                ? engine.reconciler.reconcile(loaded.data(), newData(), dataType)
                : loaded.data();
        String problem = model.problemWith(data);
        if (problem != null) {
            engine.issue("load of " + name + "/" + key + " refused: its data fails the validator: " + problem);
            throw new DataModelException(
                    "the data of " + name + "/" + key + " fails the store's validator: " + problem
                            + "; nothing was written",
                    null);
        }
        // an unchanged profile must not be rewritten: remember the bytes as stored (a profile loaded
        // before differs in 'loads', so its first save writes once; a new one is stored as it is)
        return new ActiveProfile<>(this, key, record.epoch(), record.revision(), loaded, data, inbox, record.payload());
    }

    /** A profile as a fresh template with no metadata, for records with no (decodable) payload. */
    private Codec.Payload<T> emptyPayload() {
        return new Codec.Payload<>(
                engine.now(), 0, newData(), new java.util.LinkedHashMap<>(), List.of(), List.of(), model.version());
    }

    /**
     * Checks data the game sets: the store's type, encodable, within the size limit.
     *
     * @throws IllegalArgumentException naming the problem
     */
    void checkData(T newData, String key) {
        if (newData == null) {
            throw new IllegalArgumentException("profile data must not be null (profile '" + key + "')");
        }
        Class<?> type = dataType.getRawClass();
        if (Map.class.isAssignableFrom(type) ? !(newData instanceof Map) : !type.isInstance(newData)) {
            throw new IllegalArgumentException("profile data must be a " + type.getName() + ", not a "
                    + newData.getClass().getName());
        }
        int size;
        try {
            size = engine.codec.mapper().writeValueAsBytes(newData).length;
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "profile data of '" + key + "' cannot be encoded as JSON: " + e.getMessage(), e);
        }
        if (size > engine.settings().maxDataBytes()) {
            throw new IllegalArgumentException(
                    "profile data of '" + key + "' is " + size + " bytes encoded, over the limit of "
                            + engine.settings().maxDataBytes() + " (ProfileService.Builder.maxDataBytes)");
        }
    }

    /**
     * Decodes a stored payload; bytes that do not decode are reported and, for a session
     * ({@code quarantine}: it will overwrite them), copied aside first. A session refuses data at a
     * newer version than the model's; a view reads it as stored.
     */
    private Codec.Payload<T> decodeOrQuarantine(String key, byte[] bytes, boolean quarantine) {
        if (bytes == null) {
            return null;
        }
        try {
            return engine.codec.decodePayload(bytes, dataType, model, !quarantine);
        } catch (DataModelException e) {
            engine.issue("profile " + name + "/" + key + " refused by its data model: " + e.getMessage());
            throw e;
        } catch (Codec.CorruptException e) {
            if (quarantine) {
                // on an I/O thread already; a failure fails the load and the bytes stay where they are
                engine.backend.quarantine(name, key, bytes, e.getMessage(), engine.now());
            }
            engine.corruption(name, key, e.getMessage());
            return null;
        }
    }

    /** An Active update whose data does not decode: its bytes are copied aside and reported (on an I/O thread). */
    void setAside(String key, PendingUpdate u) {
        String reason = "global update " + u.id() + " is not a JSON object";
        engine.backend.quarantine(name, key, u.data(), reason, engine.now());
        engine.corruption(name, key, reason);
    }

    // ---------------------------------------------------------------- global updates (sender side)

    @Override
    public Optional<GlobalUpdates> globalUpdateProfile(String key, Consumer<GlobalUpdates> handler) {
        return Engine.join(globalUpdateProfileAsync(key, handler));
    }

    @Override
    public CompletableFuture<Optional<GlobalUpdates>> globalUpdateProfileAsync(
            String key, Consumer<GlobalUpdates> handler) {
        try {
            Names.key(key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (handler == null) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("global update handler must not be null"));
        }
        if (engine.isLocked()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return engine.gifts.send(name, key, handler);
    }

    // ---------------------------------------------------------------- view

    @Override
    public Optional<Profile<T>> viewProfile(String key) {
        Names.key(key);
        if (engine.isLocked()) {
            return Optional.empty();
        }
        StoredProfile record = Engine.join(
                engine.call("view of " + name + "/" + key, () -> engine.backend.read(name, key), Engine.CALL_ATTEMPTS));
        if (record.payload() == null) {
            return Optional.empty();
        }
        return Optional.of(view(key, record, null));
    }

    @Override
    public Optional<Profile<T>> viewProfile(String key, String version) {
        return history.view(key, version);
    }

    @Override
    public ProfileVersionQuery<T> profileVersionQuery(
            String key, SortDirection direction, Instant minDate, Instant maxDate) {
        return history.query(key, direction, minDate, maxDate);
    }

    /**
     * A view of {@code record}: the latest data ({@code savedAtMillis} null; a payload that does not
     * decode is reported and shown as the template), or a kept version written at
     * {@code savedAtMillis} (null if it does not decode).
     */
    ProfileView<T> view(String key, StoredProfile record, Long savedAtMillis) {
        Codec.Payload<T> stored = decodeOrQuarantine(key, record.payload(), false);
        if (stored == null && savedAtMillis != null) {
            return null;
        }
        Codec.Inbox inbox = engine.codec.decodeInbox(record);
        return new ProfileView<>(
                this,
                key,
                stored != null ? stored : emptyPayload(),
                inbox.updates(),
                ProfileHistory.session(record),
                record.revision(),
                savedAtMillis != null ? savedAtMillis : engine.now());
    }

    // ---------------------------------------------------------------- wipe

    @Override
    public boolean wipeProfile(String key) {
        return Engine.join(wipeProfileAsync(key));
    }

    /**
     * The admin delete (one atomic operation, idempotent, so retried like any call); then a session
     * of this service on the key syncs at once, finds the record gone and ends.
     */
    @Override
    public CompletableFuture<Boolean> wipeProfileAsync(String key) {
        try {
            Names.key(key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (engine.isLocked()) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("wipe of " + name + "/" + key + ": the service is closed"));
        }
        Optional<dev.profileservice.spi.BackendAdmin> admin = engine.backend.admin();
        if (admin.isEmpty()) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("wipe of " + name + "/" + key
                    + ": the store " + engine.backend.describe() + " offers no administrative operations"));
        }
        return engine.call("wipe of " + name + "/" + key, () -> admin.get().delete(name, key), Engine.CALL_ATTEMPTS)
                .thenApply(existed -> {
                    if (engine.slots.get(Engine.slot(name, key)) instanceof ActiveProfile<?> p) {
                        p.cycle().request(false); // its sync is refused or finds no session: the session ends
                    }
                    return existed;
                });
    }

    // ---------------------------------------------------------------- mock

    @Override
    public ProfileStore<T> mock() {
        return engine.mockService().getProfileStore(name, newData(), model);
    }
}
