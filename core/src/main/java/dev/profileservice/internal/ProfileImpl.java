package dev.profileservice.internal;

import dev.profileservice.ActiveSession;
import dev.profileservice.Connection;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.MetaData;
import dev.profileservice.Profile;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A profile: active (this server holds the session; the save state machine below runs) or a view.
 *
 * <h2>Save state machine</h2>
 * At most one sync (a fenced save, or a read when nothing changed) runs at a time per profile:
 * {@link #requestSave} starts one if none runs, or marks {@code again} so the running one is
 * followed by exactly one more (manual saves, auto-save ticks and gift notifications coalesce).
 * A sync encodes the data under {@link #lock} (the same lock {@link #edit} holds, so a save never
 * contains half an edit), then talks to the store on an I/O thread without the lock. Failures are
 * reported and retried after a backoff with {@code saving} still set, so a later request can never
 * overtake a failed one.
 */
final class ProfileImpl<T> implements Profile<T>, SaveBatcher.Sync {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileImpl.class);

    private enum State { ACTIVE, RELEASING, RELEASED }

    private final StoreImpl<T> store;
    private final Engine engine;
    private final String key;
    private final String slot;
    private final boolean view;
    private final long epoch;
    final long created;
    final long loads;
    private final ActiveSession viewSession;

    private final ReentrantLock lock = new ReentrantLock();
    private T data;
    final Map<String, Object> tags;
    volatile Map<String, Object> tagsLatest;
    private final List<GlobalUpdate> locked;
    private Codec.Inbox inbox;
    private long inboxVersion;
    private boolean resetInbox;
    /** Ids the owner asked to lock, not yet saved. Empty (shared) until the first lock. Guarded by {@link #lock}. */
    private Set<Long> pendingLocks = Set.of();
    /**
     * Ids of pending locks whose last save failed with an unknown outcome (the store may have applied
     * it and the reply been lost). If such an update leaves the inbox, the stored payload decides
     * whether we locked it. Guarded by {@link #lock}.
     */
    private Set<Long> uncertainLocks = Set.of();
    /** Locks found applied by such a check, whose Locked listeners are still to fire. Guarded by {@link #lock}. */
    private List<GlobalUpdate> recoveredLocks = List.of();
    private Set<Long> knownActive = Set.of();
    /** SHA-256 of the payload as last stored (null if none): how an unchanged profile is recognised without keeping a copy. */
    private byte[] lastSavedDigest;

    private volatile State state;
    private boolean saving;
    private boolean again;
    private boolean wantRelease;
    private int failures;
    /** Whether the retry now running was woken early by {@link StoreRecovery} (see {@link #failed}). */
    private volatile boolean retryWokenEarly;
    private final CompletableFuture<Void> releaseFuture = new CompletableFuture<>();
    private volatile int wheelSlot = -1;

    private final Listeners<Runnable> releaseListeners;
    final Listeners<BiConsumer<Long, Map<String, Object>>> activeListeners;
    final Listeners<BiConsumer<Long, Map<String, Object>>> lockedListeners;
    private final GlobalUpdates updates;
    private final MetaData meta = new MetaDataImpl(this);

    private ProfileImpl(StoreImpl<T> store, String key, boolean view, long epoch, long created, long loads, T data,
                        Map<String, Object> tags, List<GlobalUpdate> locked, Codec.Inbox inbox, long inboxVersion,
                        ActiveSession viewSession) {
        this.store = store;
        this.engine = store.engine;
        this.key = key;
        this.slot = Engine.slot(store.name, key);
        this.view = view;
        this.epoch = epoch;
        this.created = created;
        this.loads = loads;
        this.data = data;
        this.tags = Collections.synchronizedMap(new LinkedHashMap<>(tags));
        this.tagsLatest = tags.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(store.engine.codec.copyMap(tags, "meta tags")); // deep: never shares nested values
        this.locked = new ArrayList<>(locked);
        this.inbox = inbox;
        this.inboxVersion = inboxVersion;
        if (!inbox.active().isEmpty()) {
            knownActive = new HashSet<>();
            inbox.active().forEach(u -> knownActive.add(u.id()));
        }
        this.viewSession = viewSession;
        this.state = view ? State.RELEASED : State.ACTIVE;
        SerialExecutor listenerExecutor = new SerialExecutor(engine.listenerBase);
        this.releaseListeners = new Listeners<>(listenerExecutor);
        this.activeListeners = new Listeners<>(listenerExecutor);
        this.lockedListeners = new Listeners<>(listenerExecutor);
        this.updates = view ? UpdatesView.readOnly(inbox.active(), locked) : UpdatesView.owner(this);
        if (view) {
            releaseFuture.complete(null);
        }
    }

    static <T> ProfileImpl<T> active(StoreImpl<T> store, String key, long epoch, long created, long loads, T data,
                                     Map<String, Object> tags, List<GlobalUpdate> locked, Codec.Inbox inbox,
                                     long inboxVersion, byte[] storedPayload, boolean resetInbox) {
        ProfileImpl<T> p = new ProfileImpl<>(store, key, false, epoch, created, loads, data, tags, locked, inbox, inboxVersion, null);
        p.lastSavedDigest = storedPayload == null ? null : Digests.sha256(storedPayload);
        p.resetInbox = resetInbox;
        return p;
    }

    static <T> ProfileImpl<T> view(StoreImpl<T> store, String key, long created, long loads, T data, Map<String, Object> tags,
                                   List<GlobalUpdate> locked, Codec.Inbox inbox, ActiveSession session) {
        return new ProfileImpl<>(store, key, true, 0, created, loads, data, tags, locked, inbox, 0, session);
    }

    /** Starts auto-save: puts the profile on the service's auto-save wheel (see {@link AutoSaveWheel}). */
    void start() {
        wheelSlot = engine.wheel.add(this);
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
        if (newData == null) {
            throw new IllegalArgumentException("profile data must not be null (profile '" + key + "')");
        }
        Class<?> type = store.dataType().getRawClass();
        if (Map.class.isAssignableFrom(type) ? !(newData instanceof Map) : !type.isInstance(newData)) {
            throw new IllegalArgumentException("profile data must be a " + store.dataType().getRawClass().getName()
                    + ", not a " + newData.getClass().getName());
        }
        int size = encodedSize(newData, "profile data of '" + key + "'");
        if (size > engine.config.maxDataBytes()) {
            throw new IllegalArgumentException("profile data of '" + key + "' is " + size + " bytes encoded, over the limit of "
                    + engine.config.maxDataBytes() + " (ProfileService.Builder.maxDataBytes)");
        }
        lock.lock();
        try {
            requireActive("setData");
            data = newData;
        } finally {
            lock.unlock();
        }
    }

    private int encodedSize(Object value, String what) {
        try {
            return engine.codec.mapper().writeValueAsBytes(value).length;
        } catch (Exception e) {
            throw new IllegalArgumentException(what + " cannot be encoded as JSON: " + e.getMessage(), e);
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

    ActiveSession activeSession() {
        if (view) {
            return viewSession;
        }
        return state == State.ACTIVE ? new ActiveSession(engine.me.placeId(), engine.me.jobId()) : null;
    }

    @Override
    public GlobalUpdates getGlobalUpdates() {
        return updates;
    }

    @Override
    public boolean isActive() {
        return state == State.ACTIVE;
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
    public Connection listenToRelease(Runnable listener) {
        Connection c = releaseListeners.connect(listener);
        if (state != State.ACTIVE) {
            releaseListeners.fireOne(c, Runnable::run); // already released: this listener only, right away
        }
        return c;
    }

    @Override
    public void release() {
        Engine.join(releaseAsync());
    }

    @Override
    public void save() {
        requireActive("save");
        requestSave(false);
    }

    @Override
    public String toString() {
        return "Profile{" + store.name + "/" + key + ", " + (view ? "view" : state.name().toLowerCase()) + ", epoch=" + epoch + "}";
    }

    private void requireActive(String method) {
        if (view) {
            throw new IllegalStateException(method + " called on a view of profile '" + key + "': views are read-only");
        }
        if (state != State.ACTIVE) {
            throw new IllegalStateException(method + " called on profile '" + key + "', which is no longer active (released)");
        }
    }

    // ---------------------------------------------------------------- global updates (owner side)

    List<GlobalUpdate> activeUpdates() {
        lock.lock();
        try {
            return List.copyOf(inbox.active());
        } finally {
            lock.unlock();
        }
    }

    List<GlobalUpdate> lockedUpdates() {
        lock.lock();
        try {
            return List.copyOf(locked);
        } finally {
            lock.unlock();
        }
    }

    void lockActiveUpdate(long id) {
        lock.lock();
        try {
            if (pendingLocks.contains(id)) {
                return;
            }
            if (inbox.active().stream().noneMatch(u -> u.id() == id)) {
                throw new IllegalArgumentException("global update " + id + " is not an Active update of profile '" + key + "'"
                        + (locked.stream().anyMatch(u -> u.id() == id) ? " (it is already Locked)" : ""));
            }
            if (pendingLocks.isEmpty()) {
                pendingLocks = new LinkedHashSet<>();
            }
            pendingLocks.add(id);
        } finally {
            lock.unlock();
        }
        requestSave(false); // gifts move on now, not at the next auto-save
    }

    void clearLockedUpdate(long id) {
        lock.lock();
        try {
            if (!locked.removeIf(u -> u.id() == id)) {
                throw new IllegalArgumentException("global update " + id + " is not a Locked update of profile '" + key + "'");
            }
        } finally {
            lock.unlock();
        }
        requestSave(false); // make the processed gift durable soon
    }

    // ---------------------------------------------------------------- save state machine

    CompletableFuture<Void> releaseFuture() {
        return releaseFuture;
    }

    /** Stops being active, fires release listeners, and runs the final save; completes when it is durable (or the session was lost). */
    CompletableFuture<Void> releaseAsync() {
        if (view) {
            return releaseFuture;
        }
        synchronized (this) {
            if (state != State.ACTIVE) {
                return releaseFuture;
            }
            state = State.RELEASING;
        }
        cancelAutoSave();
        releaseListeners.fire(Runnable::run);
        requestSave(true);
        return releaseFuture;
    }

    void requestSave(boolean release) {
        if (claim(release)) {
            if (release) {
                engine.saver.submitFirst(this); // someone may be waiting for this release: ahead of auto-saves
            } else {
                engine.saver.submit(this);
            }
        }
    }

    /** For the auto-save wheel: whether this active profile now owes the batcher a sync (the caller submits it). */
    boolean claimAutoSave() {
        return state == State.ACTIVE && claim(false);
    }

    /**
     * Marks a sync as wanted. Returns true when the caller must queue this profile with the batcher;
     * false when one is queued or running already (it will run once more) or the profile is released.
     */
    private boolean claim(boolean release) {
        synchronized (this) {
            if (state == State.RELEASED) {
                return false;
            }
            if (release) {
                wantRelease = true;
            }
            if (saving) {
                again = true;
                return false;
            }
            saving = true;
            return true;
        }
    }

    private record Snapshot(byte[] payload, byte[] digest, List<GlobalUpdate> newlyLocked, byte[] newInbox, long expectedInboxVersion,
                            Map<String, Object> tags, boolean write, boolean release) {
    }

    /** Called by the batcher on an I/O thread: encodes the next write, or handles the sync here when there is nothing to write. */
    @Override
    public SaveBatcher.PendingSave begin() {
        boolean release;
        synchronized (this) {
            release = wantRelease;
            again = false;
            if (state == State.RELEASED) {
                saving = false;
                return null;
            }
        }
        Snapshot s;
        try {
            s = snapshot(release);
        } catch (RuntimeException e) {
            failed(release, e);
            return null;
        }
        fireRecoveredLocks();
        if (!s.write()) {
            engine.io.execute(this::checkSession); // a read, on its own I/O task: it must not hold up the batch
            return null;
        }
        SaveRequest request = new SaveRequest(engine.me.serverId(), epoch, s.payload(), s.release(),
                s.expectedInboxVersion(), s.newInbox());
        SaveItem item = new SaveItem(store.name, key, request);
        return new SaveBatcher.PendingSave() {
            @Override
            public SaveItem item() {
                return item;
            }

            @Override
            public void complete(SaveResult result) {
                try {
                    onSaveResult(s, result);
                } catch (RuntimeException e) {
                    failed(s.release(), e);
                }
            }

            @Override
            public void fail(RuntimeException e) {
                if (!s.newlyLocked().isEmpty()) {
                    lock.lock();
                    try {
                        if (uncertainLocks.isEmpty()) {
                            uncertainLocks = new HashSet<>();
                        }
                        s.newlyLocked().forEach(u -> uncertainLocks.add(u.id()));
                    } finally {
                        lock.unlock();
                    }
                }
                failed(s.release(), e);
            }
        };
    }

    private void onSaveResult(Snapshot s, SaveResult result) {
        failures = 0;
        retryWokenEarly = false;
        switch (result.status()) {
            case SAVED -> saved(s, result.record());
            case LOST_SESSION -> lost(result.record());
            case INBOX_CHANGED -> {
                List<GlobalUpdate> fresh;
                lock.lock();
                try {
                    fresh = adoptInbox(result.record());
                } finally {
                    lock.unlock();
                }
                fireActive(fresh);
                engine.saver.submit(this); // rebase on the new inbox at once; still "saving"
                return;
            }
        }
        endCycle();
    }

    /** Nothing changed since the last save: one read checks the session and picks up new gifts. */
    private void checkSession() {
        try {
            StoredProfile record = engine.backend.read(store.name, key);
            failures = 0;
            retryWokenEarly = false;
            if (record.epoch() != epoch || record.owner() == null || !record.owner().serverId().equals(engine.me.serverId())) {
                lost(record);
            } else {
                List<GlobalUpdate> fresh;
                lock.lock();
                try {
                    fresh = adoptInbox(record);
                } finally {
                    lock.unlock();
                }
                fireActive(fresh);
            }
        } catch (RuntimeException e) {
            failed(false, e);
            return;
        }
        endCycle();
    }

    /**
     * A sync failed: report it and retry after a backoff, keeping "saving" set so nothing overtakes
     * it. When the store itself failed, the retry also runs the moment the store is back
     * ({@link StoreRecovery}), releases first; unless this attempt was such an early retry.
     */
    private void failed(boolean release, RuntimeException e) {
        failures++;
        if (e instanceof BackendException || e instanceof IllegalArgumentException) {
            engine.issue((release ? "release" : "save") + " of " + store.name + "/" + key + " failed (attempt " + failures
                    + "), retrying: " + e.getMessage());
        } else {
            LOG.error("unexpected error saving {}/{}", store.name, key, e);
            engine.issue("save of " + store.name + "/" + key + " failed: " + e);
        }
        boolean storeFailed = e instanceof BackendException b && b.isTransient();
        if (storeFailed && !retryWokenEarly) {
            engine.recovery.retryAfter(engine.backoff(failures), release ? StoreRecovery.Kind.RELEASE : StoreRecovery.Kind.SAVE,
                    early -> {
                        retryWokenEarly = early;
                        if (release) {
                            engine.saver.submitFirst(this);
                        } else {
                            engine.saver.submit(this);
                        }
                    });
        } else {
            retryWokenEarly = false;
            engine.after(engine.backoff(failures), () -> engine.saver.submit(this));
        }
    }

    private void endCycle() {
        boolean run;
        synchronized (this) {
            run = state != State.RELEASED && (again || (wantRelease && state == State.RELEASING));
            if (!run) {
                saving = false;
            }
        }
        if (run) {
            engine.saver.submit(this);
        }
    }

    /** Encodes what to write, under the data lock. */
    private Snapshot snapshot(boolean release) {
        lock.lock();
        try {
            List<GlobalUpdate> newlyLocked = new ArrayList<>();
            List<GlobalUpdate> storedLocked = null;
            for (var it = pendingLocks.iterator(); it.hasNext(); ) {
                long id = it.next();
                GlobalUpdate u = inbox.active().stream().filter(x -> x.id() == id).findFirst().orElse(null);
                if (u != null) {
                    newlyLocked.add(u);
                    continue;
                }
                it.remove();
                if (!uncertainLocks.isEmpty() && uncertainLocks.remove(id)) {
                    // Gone from the inbox after a save whose outcome we never learnt: either the sender
                    // cleared it, or that save did lock it and its reply was lost. The stored payload tells.
                    if (storedLocked == null) {
                        storedLocked = storedLockedUpdates();
                    }
                    storedLocked.stream().filter(x -> x.id() == id).findFirst().ifPresent(stored -> {
                        locked.add(stored);
                        if (recoveredLocks.isEmpty()) {
                            recoveredLocks = new ArrayList<>();
                        }
                        recoveredLocks.add(stored);
                    });
                }
                // else: the sender cleared it before our lock reached the store
            }
            List<GlobalUpdate> lockedAfter = new ArrayList<>(locked);
            lockedAfter.addAll(newlyLocked);
            byte[] payload = null;
            String problem = null;
            try {
                payload = engine.codec.encodePayload(created, loads, data, tags, lockedAfter);
                if (payload.length > engine.config.maxDataBytes()) {
                    problem = "profile " + store.name + "/" + key + " is " + payload.length + " bytes encoded, over the limit of "
                            + engine.config.maxDataBytes() + "; not saved";
                    payload = null;
                }
            } catch (IllegalArgumentException e) {
                problem = "profile " + store.name + "/" + key + " not saved: " + e.getMessage();
            }
            if (payload == null) {
                engine.issue(problem);
                if (!release) {
                    return new Snapshot(null, null, List.of(), null, 0, null, false, false);
                }
                // release anyway, keeping the payload as stored, so the lock is freed and nothing saved is lost
                payload = storedPayloadOrTemplate();
                newlyLocked = List.of();
            }
            byte[] newInbox = null;
            if (!newlyLocked.isEmpty() || resetInbox) {
                Set<Long> ids = new HashSet<>();
                newlyLocked.forEach(u -> ids.add(u.id()));
                List<GlobalUpdate> remaining = new ArrayList<>();
                for (GlobalUpdate u : inbox.active()) {
                    if (!ids.contains(u.id())) {
                        remaining.add(u);
                    }
                }
                newInbox = engine.codec.encodeInbox(new Codec.Inbox(inbox.next(), remaining));
            }
            byte[] digest = Digests.sha256(payload);
            boolean write = release || newInbox != null || !Arrays.equals(digest, lastSavedDigest);
            // MetaTagsLatest: a deep copy, made only when the tags differ from it (Map.equals compares deeply)
            Map<String, Object> tagCopy = !write ? null
                    : tags.equals(tagsLatest) ? tagsLatest
                    : tags.isEmpty() ? Map.of() : Collections.unmodifiableMap(engine.codec.copyMap(tags, "meta tags"));
            return new Snapshot(payload, digest, newlyLocked, newInbox, inboxVersion, tagCopy, write, release);
        } finally {
            lock.unlock();
        }
    }

    /** The Locked updates of the payload as the store has it now (one read; rare: see {@link #uncertainLocks}). Caller holds the lock. */
    private List<GlobalUpdate> storedLockedUpdates() {
        byte[] stored = engine.backend.read(store.name, key).payload();
        if (stored == null) {
            return List.of();
        }
        try {
            return engine.codec.decodePayload(stored, store.dataType()).locked();
        } catch (Codec.CorruptException e) {
            return List.of();
        }
    }

    /** The payload as the store has it now (one read), or the template's if none was ever saved. */
    private byte[] storedPayloadOrTemplate() {
        byte[] stored = engine.backend.read(store.name, key).payload();
        return stored != null ? stored : engine.codec.encodePayload(created, loads, store.newData(), Map.of(), locked);
    }

    private void saved(Snapshot s, StoredProfile record) {
        List<GlobalUpdate> fresh;
        lock.lock();
        try {
            lastSavedDigest = s.digest();
            for (GlobalUpdate u : s.newlyLocked()) {
                if (!pendingLocks.isEmpty()) {
                    pendingLocks.remove(u.id());
                }
                if (!uncertainLocks.isEmpty()) {
                    uncertainLocks.remove(u.id());
                }
                locked.add(u);
            }
            if (s.newInbox() != null) {
                resetInbox = false;
            }
            tagsLatest = s.tags();
            fresh = adoptInbox(record);
        } finally {
            lock.unlock();
        }
        if (s.release()) {
            finish();
            return;
        }
        for (GlobalUpdate u : s.newlyLocked()) {
            lockedListeners.fire(l -> {
                if (isActive()) {
                    l.accept(u.id(), u.data());
                }
            });
        }
        fireActive(fresh);
    }

    private void fireRecoveredLocks() {
        List<GlobalUpdate> recovered;
        lock.lock();
        try {
            if (recoveredLocks.isEmpty()) {
                return;
            }
            recovered = recoveredLocks;
            recoveredLocks = List.of();
        } finally {
            lock.unlock();
        }
        for (GlobalUpdate u : recovered) {
            LOG.info("global update {} of {}/{} was locked by a save whose reply was lost", u.id(), store.name, key);
            lockedListeners.fire(l -> {
                if (isActive()) {
                    l.accept(u.id(), u.data());
                }
            });
        }
    }

    private void fireActive(List<GlobalUpdate> fresh) {
        for (GlobalUpdate u : fresh) {
            activeListeners.fire(l -> {
                if (isActive()) {
                    l.accept(u.id(), u.data());
                }
            });
        }
    }

    /** Takes the store's inbox as current; returns the Active updates not seen before. Caller holds the lock. */
    private List<GlobalUpdate> adoptInbox(StoredProfile record) {
        if (record.inboxVersion() == inboxVersion) {
            // unchanged since we last looked: nothing to decode (and a corrupt one is not quarantined twice)
            return List.of();
        }
        Codec.Inbox decoded;
        try {
            decoded = engine.codec.decodeInbox(record.inbox());
        } catch (Codec.CorruptException e) {
            byte[] bytes = record.inbox();
            engine.backend.quarantine(store.name, key, bytes, "inbox: " + e.getMessage(), engine.now());
            engine.corruption(store.name, key, "inbox: " + e.getMessage());
            long next = 1 + locked.stream().mapToLong(GlobalUpdate::id).max().orElse(0);
            decoded = new Codec.Inbox(Math.max(next, inbox.next()), List.of());
            resetInbox = true;
        }
        inbox = decoded;
        inboxVersion = record.inboxVersion();
        List<GlobalUpdate> fresh = new ArrayList<>();
        Set<Long> now = new HashSet<>();
        for (GlobalUpdate u : decoded.active()) {
            now.add(u.id());
            if (!knownActive.contains(u.id())) {
                fresh.add(u);
            }
        }
        knownActive = now.isEmpty() ? Set.of() : now;
        return fresh;
    }

    private void lost(StoredProfile record) {
        if (state == State.RELEASING && record.owner() == null && record.epoch() == epoch) {
            // a retried release whose first attempt was applied but whose reply was lost: released, not lost
            LOG.debug("release of {}/{} had already been applied", store.name, key);
            finish();
            return;
        }
        LOG.warn("profile {}/{} was taken over (our epoch {}, store epoch {}, owner {}); it is no longer active",
                store.name, key, epoch, record.epoch(), record.owner());
        boolean wasActive;
        synchronized (this) {
            wasActive = state == State.ACTIVE;
            state = State.RELEASED;
        }
        cancelAutoSave();
        if (wasActive) {
            releaseListeners.fire(Runnable::run);
        }
        finish();
    }

    private void finish() {
        synchronized (this) {
            state = State.RELEASED;
            saving = false;
            again = false;
        }
        engine.slots.remove(slot, this);
        releaseFuture.complete(null);
        engine.released(store.name, key);
    }

    private void cancelAutoSave() {
        engine.wheel.remove(this, wheelSlot);
    }
}
