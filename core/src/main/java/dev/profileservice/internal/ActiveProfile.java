package dev.profileservice.internal;

import dev.profileservice.ActiveSession;
import dev.profileservice.DataModel;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.MetaData;
import dev.profileservice.Profile;
import dev.profileservice.Signal;
import dev.profileservice.Subscription;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.StoredProfile;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A profile whose session this server holds: the data and meta tags the game edits, under one
 * lock, saved by its {@link SaveCycle}, with its global updates in a {@link GiftLedger}.
 *
 * <p>Threads: the {@code Profile} methods from any thread. {@link #edit} and every encode of a
 * save hold {@link #lock}, so a save never contains half an edit. The save cycle calls
 * {@link #snapshot}, {@link #saved}, {@link #adopt} and {@link #outcomeUnknown} on I/O threads.
 * Listeners run on this profile's serial executor over the listener executor, in event order.
 */
final class ActiveProfile<T> implements Profile<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveProfile.class);

    private final StoreImpl<T> store;
    private final Engine engine;
    private final String key;
    private final long epoch;
    private final long created;
    private final long loads;
    private final ReentrantLock lock = new ReentrantLock();
    private T data;
    private final Map<String, Object> tags;
    private volatile Map<String, Object> tagsLatest;
    /** The user ids saved with the profile (erasure requests); guarded by {@link #lock}. */
    private final List<Long> userIds;
    /** Guarded by {@link #lock}. */
    private final GiftLedger gifts;
    /**
     * The user ids as this session last gave them to the store's index; null while unknown (a
     * profile loaded with ids gives them with its first save: its index may predate them; one
     * loaded without has none indexed). Guarded by {@link #lock}.
     */
    private List<Long> indexedUserIds;
    /** SHA-256 of the payload as last stored (null if none): how an unchanged profile is recognised without keeping a copy. */
    private byte[] lastSavedDigest;

    private final SaveCycle cycle;
    /** The data was migrated on load: the save that first writes it is kept as a version (cause migration). */
    private volatile boolean migrated;

    private volatile int wheelSlot = -1;

    private final Listeners<Runnable> releaseListeners;
    private final Listeners<Runnable> hopReadyListeners;
    private final Listeners<Consumer<Map<String, Object>>> metaTagsListeners;
    private final Listeners<Consumer<KeyInfo>> keyInfoListeners;
    /** The record's revision as this session last wrote (or loaded) it: the version id. */
    private volatile long revision;
    /** When the last save completed, or the load (this server's clock). */
    private volatile long updatedAtMillis;

    final Listeners<BiConsumer<Long, Map<String, Object>>> activeListeners;
    final Listeners<BiConsumer<Long, Map<String, Object>>> lockedListeners;
    private final GlobalUpdates updates = UpdatesView.owner(this);
    private final MetaData meta;

    /**
     * @param inbox       the Active updates as stored (those that do not decode already set aside)
     * @param stored      the payload as stored when the session was taken (null if none), so an
     *                    unchanged profile is never rewritten
     */
    ActiveProfile(
            StoreImpl<T> store,
            String key,
            long epoch,
            long revision,
            Codec.Payload<T> decoded,
            T data,
            Codec.Inbox inbox,
            byte[] stored) {
        this.store = store;
        this.engine = store.engine;
        this.key = key;
        this.epoch = epoch;
        this.revision = revision;
        this.updatedAtMillis = engine.now();
        this.created = decoded.created();
        this.loads = decoded.loads();
        this.data = data;
        this.tags = Collections.synchronizedMap(new LinkedHashMap<>(decoded.tags()));
        this.userIds = new java.util.ArrayList<>(decoded.userIds());
        this.indexedUserIds = decoded.userIds().isEmpty() ? List.of() : null;
        this.migrated = decoded.dataVersion() < store.model.version();
        this.tagsLatest = decoded.tags().isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(
                        engine.codec.copyMap(decoded.tags(), "meta tags")); // deep: never shares nested values
        this.gifts = new GiftLedger(decoded.locked(), inbox, engine.observe, store.name);
        this.lastSavedDigest = stored == null ? null : Digests.sha256(stored);
        this.cycle = new SaveCycle(this, engine);
        SerialExecutor listenerExecutor = new SerialExecutor(engine.listenerBase);
        this.releaseListeners = new Listeners<>(listenerExecutor);
        this.hopReadyListeners = new Listeners<>(listenerExecutor);
        this.metaTagsListeners = new Listeners<>(listenerExecutor);
        this.keyInfoListeners = new Listeners<>(listenerExecutor);
        this.activeListeners = new Listeners<>(listenerExecutor);
        this.lockedListeners = new Listeners<>(listenerExecutor);
        this.meta = new MetaDataImpl(created, loads, this::activeSession, tags, () -> tagsLatest);
    }

    /** Starts auto-save: puts the profile's cycle on the service's auto-save wheel (see {@link AutoSaveWheel}). */
    void start() {
        wheelSlot = engine.wheel.add(cycle);
        cycle.released().whenComplete((v, e) -> hopReadyListeners.fire(Runnable::run));
    }

    String storeName() {
        return store.name;
    }

    long epoch() {
        return epoch;
    }

    SaveCycle cycle() {
        return cycle;
    }

    // ---------------------------------------------------------------- Profile

    @Override
    public String getKey() {
        return key;
    }

    @Override
    public T getData() {
        return data;
    }

    @Override
    public void setData(T newData) {
        requireActive("setData");
        store.checkData(newData, key);
        lock.lock();
        try {
            requireActive("setData");
            data = newData;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void edit(Consumer<T> editor) {
        requireActive("edit");
        lock.lock();
        try {
            requireActive("edit"); // again under the lock: the final save of a release encodes under it too
            editor.accept(data);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MetaData getMetaData() {
        return meta;
    }

    private Optional<ActiveSession> activeSession() {
        return isActive() ? Optional.of(new ActiveSession(engine.me.placeId(), engine.me.jobId())) : Optional.empty();
    }

    @Override
    public GlobalUpdates getGlobalUpdates() {
        return updates;
    }

    @Override
    public boolean isActive() {
        return cycle.lifecycle() == SaveCycle.Lifecycle.ACTIVE;
    }

    @Override
    public Object getMetaTag(String name) {
        return tags.get(name);
    }

    @Override
    public void setMetaTag(String name, Object value) {
        requireActive("setMetaTag");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("meta tag name must not be null or empty");
        }
        engine.codec.checkEncodable(value, "meta tag '" + name + "'");
        lock.lock();
        try {
            requireActive("setMetaTag");
            tags.put(name, value);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Subscription listenToRelease(Runnable listener) {
        Subscription c = releaseListeners.connect(listener);
        if (!isActive()) {
            releaseListeners.fireOne(c, Runnable::run); // already released: this listener only, right away
        }
        return c;
    }

    /** Once per listener: it may be fired both by the end of the session and by a late connect. */
    @Override
    public Subscription listenToHopReady(Runnable listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        Subscription c = hopReadyListeners.connect(() -> {
            if (ran.compareAndSet(false, true)) {
                listener.run();
            }
        });
        if (cycle.released().isDone()) {
            hopReadyListeners.fireOne(c, Runnable::run); // the session ended already: right away
        }
        return c;
    }

    @Override
    public Signal<Consumer<Map<String, Object>>> metaTagsUpdated() {
        return metaTagsListeners;
    }

    @Override
    public List<Long> getUserIds() {
        lock.lock();
        try {
            return List.copyOf(userIds);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void addUserId(long userId) {
        lock.lock();
        try {
            requireActive("addUserId");
            if (!userIds.contains(userId)) {
                userIds.add(userId);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void removeUserId(long userId) {
        lock.lock();
        try {
            requireActive("removeUserId");
            userIds.remove(Long.valueOf(userId));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reconcile() {
        requireActive("reconcile");
        T template = store.newData();
        lock.lock();
        try {
            requireActive("reconcile");
            data = engine.reconciler.reconcile(data, template, store.dataType());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String identify() {
        return Names.identify(store.name, key);
    }

    @Override
    public void release() {
        Engine.join(releaseAsync());
    }

    @Override
    public void save() {
        requireActive("save");
        cycle.requestByGame();
    }

    @Override
    public KeyInfo getKeyInfo() {
        return new KeyInfo(
                Long.toString(revision),
                Instant.ofEpochMilli(created),
                Instant.ofEpochMilli(updatedAtMillis),
                getUserIds());
    }

    @Override
    public Signal<Consumer<KeyInfo>> keyInfoUpdated() {
        return keyInfoListeners;
    }

    /** Only views clear their updates before an overwrite. */
    @Override
    public void clearGlobalUpdates() {
        throw new IllegalStateException("clearGlobalUpdates called on the active profile " + identify()
                + ": it works on a view only (viewProfile), before overwrite()");
    }

    /** Only views overwrite: an active profile saves. */
    @Override
    public void overwrite() {
        throw new IllegalStateException("overwrite called on the active profile " + identify()
                + ": it works on a view only (viewProfile); an active profile is saved by its session");
    }

    @Override
    public String toString() {
        return "Profile{" + store.name + "/" + key + ", "
                + cycle.lifecycle().name().toLowerCase() + ", epoch=" + epoch + "}";
    }

    private void requireActive(String method) {
        if (!isActive()) {
            throw new IllegalStateException(
                    method + " called on profile '" + key + "', which is no longer active (released)");
        }
    }

    // ---------------------------------------------------------------- global updates (owner side)

    List<GlobalUpdate> activeUpdates() {
        return underLock(gifts::active);
    }

    List<GlobalUpdate> lockedUpdates() {
        return underLock(gifts::locked);
    }

    void lockActiveUpdate(long id) {
        if (underLock(() -> gifts.requestLock(id, key))) {
            cycle.request(false); // gifts move on now, not at the next auto-save
        }
    }

    void clearLockedUpdate(long id) {
        underLock(() -> {
            gifts.clearLocked(id, key);
            return null;
        });
        cycle.request(false); // make the processed gift durable soon
    }

    private <R> R underLock(java.util.function.Supplier<R> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- release

    /** Completes when the session has ended (the final save is durable, or it was lost). */
    CompletableFuture<Void> releaseFuture() {
        return cycle.released();
    }

    /** Stops being active, fires release listeners, and runs the final save; completes when it is durable (or the session was lost). */
    @Override
    public CompletableFuture<Void> releaseAsync() {
        if (cycle.beginRelease()) {
            engine.wheel.remove(cycle, wheelSlot);
            announceRelease();
        }
        return cycle.released();
    }

    /** Fires the release listeners (once the session is no longer active). */
    void announceRelease() {
        releaseListeners.fire(Runnable::run);
    }

    /** The session ended: off the auto-save wheel, the local slot freed, waiting servers told. */
    void ended() {
        engine.wheel.remove(cycle, wheelSlot);
        engine.slots.remove(Engine.slot(store.name, key), this);
        engine.handOver.released(store.name, key);
    }

    // ---------------------------------------------------------------- the save cycle's side

    /**
     * Whether the data was migrated on load and not yet saved (see {@link DataModel}): the save that
     * first writes it is kept as a version with cause migration.
     */
    boolean migrated() {
        return migrated;
    }

    /** The record's revision after a write made for this session outside its save cycle. */
    void storedRevision(long revision) {
        this.revision = revision;
    }

    /** The migrated data is stored. */
    void migrationWritten() {
        migrated = false;
    }

    /** Prunes this key's kept versions after its release (see {@link ProfileHistory#pruneLater}). */
    void pruneHistory() {
        store.history.pruneLater(key);
    }

    /** Encodes what the next sync writes, under the data lock. A save that cannot be encoded is reported and skipped, except a release. */
    SyncWrite snapshot(boolean release) {
        lock.lock();
        try {
            List<Codec.ActiveUpdate> toLock = gifts.locksToSave(this::storedLockedUpdates);
            byte[] payload = null;
            String problem = null;
            try {
                String invalid = store.model.problemWith(data);
                if (invalid != null) {
                    throw new IllegalArgumentException("its data fails the store's validator: " + invalid
                            + " (the store keeps the last valid state)");
                }
                payload = engine.codec.encodePayload(
                        created,
                        loads,
                        data,
                        tags,
                        gifts.lockedAfter(toLock),
                        List.copyOf(userIds),
                        store.model.version());
                if (payload.length > engine.settings().maxDataBytes()) {
                    problem = "profile " + store.name + "/" + key + " is " + payload.length
                            + " bytes encoded, over the limit of "
                            + engine.settings().maxDataBytes() + "; not saved";
                    payload = null;
                }
            } catch (IllegalArgumentException e) {
                problem = "profile " + store.name + "/" + key + " not saved: " + e.getMessage();
            }
            if (payload == null) {
                engine.issue(problem);
                if (!release) {
                    return new SyncWrite(null, null, List.of(), List.of(), null, false, false, null);
                }
                // release anyway, keeping the payload as stored, so the lock is freed and nothing saved is lost
                payload = storedPayloadOrTemplate();
                toLock = List.of();
            }
            List<SaveRequest.Consume> consume = gifts.consume(toLock);
            byte[] digest = Digests.sha256(payload);
            List<Long> ids = List.copyOf(userIds);
            boolean idsChanged = indexedUserIds == null || !ids.equals(indexedUserIds);
            boolean write = release || idsChanged || !consume.isEmpty() || !Arrays.equals(digest, lastSavedDigest);
            // MetaTagsLatest: a deep copy, made only when the tags differ from it (Map.equals compares deeply)
            Map<String, Object> tagCopy = !write
                    ? null
                    : tags.equals(tagsLatest)
                            ? tagsLatest
                            : tags.isEmpty()
                                    ? Map.of()
                                    : Collections.unmodifiableMap(engine.codec.copyMap(tags, "meta tags"));
            return new SyncWrite(payload, digest, toLock, consume, tagCopy, write, release, idsChanged ? ids : null);
        } finally {
            lock.unlock();
        }
    }

    /** The Locked updates of the payload as the store has it now (one read; rare: see {@link GiftLedger}). */
    private List<GlobalUpdate> storedLockedUpdates() {
        byte[] stored = engine.backend.read(store.name, key).payload();
        if (stored == null) {
            return List.of();
        }
        try {
            return engine.codec
                    .decodePayload(stored, store.dataType(), store.model, true)
                    .locked();
        } catch (Codec.CorruptException e) {
            return List.of();
        }
    }

    /** The payload as the store has it now (one read), or the template's if none was ever saved. */
    private byte[] storedPayloadOrTemplate() {
        byte[] stored = engine.backend.read(store.name, key).payload();
        return stored != null
                ? stored
                : engine.codec.encodePayload(
                        created,
                        loads,
                        store.newData(),
                        Map.of(),
                        gifts.locked(),
                        List.copyOf(userIds),
                        store.model.version());
    }

    /**
     * {@code s} was written; {@code record} is the store's record after it (without its updates).
     * Returns whether the store has given update ids this profile has not seen: then a read of the
     * updates should follow.
     */
    boolean saved(SyncWrite s, StoredProfile record) {
        boolean behind;
        lock.lock();
        try {
            lastSavedDigest = s.digest();
            if (s.userIds() != null) {
                indexedUserIds = s.userIds();
            }
            gifts.saved(s.toLock(), s.consume());
            tagsLatest = s.tags();
            behind = gifts.behind(record.updateSeq());
        } finally {
            lock.unlock();
        }
        revision = record.revision();
        updatedAtMillis = engine.now();
        Map<String, Object> written = s.tags();
        metaTagsListeners.fire(l -> l.accept(written));
        KeyInfo info = getKeyInfo();
        keyInfoListeners.fire(l -> l.accept(info));
        if (s.release()) {
            return false;
        }
        s.toLock().forEach(u -> announce(lockedListeners, u.update()));
        return behind;
    }

    /** The store's record as read with its updates: new gifts are announced. */
    void adopt(StoredProfile record) {
        underLock(() -> gifts.adopt(record, engine.codec, this::corruptUpdate))
                .forEach(u -> announce(activeListeners, u));
    }

    /** A write of {@code s} failed with an unknown outcome. */
    void outcomeUnknown(SyncWrite s) {
        underLock(() -> {
            gifts.outcomeUnknown(s.toLock());
            return null;
        });
    }

    /** Announces the locks found applied after a lost reply (see {@link GiftLedger}). */
    void announceRecoveredLocks() {
        for (GlobalUpdate u : underLock(gifts::takeRecovered)) {
            LOG.info("global update {} of {}/{} was locked by a save whose reply was lost", u.id(), store.name, key);
            announce(lockedListeners, u);
        }
    }

    private void announce(Listeners<BiConsumer<Long, Map<String, Object>>> listeners, GlobalUpdate u) {
        listeners.fire(l -> {
            if (isActive()) {
                l.accept(u.id(), u.data());
            }
        });
    }

    /** An Active update that cannot be decoded: its bytes are set aside and reported (on this I/O thread). */
    private void corruptUpdate(PendingUpdate u) {
        store.setAside(key, u);
    }
}
