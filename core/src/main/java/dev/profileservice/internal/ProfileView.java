package dev.profileservice.internal;

import dev.profileservice.ActiveSession;
import dev.profileservice.DataModelException;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.MetaData;
import dev.profileservice.Profile;
import dev.profileservice.Signal;
import dev.profileservice.Subscription;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A read-only snapshot of a stored profile ({@code viewProfile}) or of a kept version: never active,
 * refuses every write with {@link IllegalStateException} but the rollback's two steps
 * ({@link #clearGlobalUpdates()}, {@link #overwrite()}), holds no lock and costs nothing after it is
 * made. Safe to read from any thread (only the cleared flag changes, and it is volatile).
 */
final class ProfileView<T> implements Profile<T> {
    private final StoreImpl<T> store;
    private final String key;
    private final Codec.Payload<T> stored;
    private final long revision;
    private final long updatedAtMillis;
    /** After {@link #clearGlobalUpdates()}: the view shows no updates, and an overwrite clears the store's. */
    private volatile boolean cleared;

    private final T data;
    private final Map<String, Object> tags;
    private final List<Long> userIds;
    private final MetaData meta;
    private final GlobalUpdates updates;
    private final java.util.concurrent.Executor listenerExecutor;
    private final Subscription noSubscription = new Subscription() {
        @Override
        public void disconnect() {}

        @Override
        public boolean isConnected() {
            return false;
        }
    };

    ProfileView(
            StoreImpl<T> store,
            String key,
            Codec.Payload<T> stored,
            List<GlobalUpdate> active,
            ActiveSession session,
            long revision,
            long updatedAtMillis) {
        this.store = store;
        this.key = key;
        this.stored = stored;
        this.revision = revision;
        this.updatedAtMillis = updatedAtMillis;
        this.listenerExecutor = store.engine.listenerBase;
        this.data = stored.data();
        this.tags = Collections.unmodifiableMap(stored.tags());
        this.userIds = stored.userIds();
        this.meta = new MetaDataImpl(
                stored.created(), stored.loads(), () -> Optional.ofNullable(session), tags, () -> tags);
        this.updates = UpdatesView.readOnly(active, stored.locked());
    }

    @Override
    public String getKey() {
        return key;
    }

    @Override
    public T getData() {
        return data;
    }

    @Override
    public void setData(T data) {
        throw readOnly("setData");
    }

    @Override
    public void edit(Consumer<T> editor) {
        throw readOnly("edit");
    }

    @Override
    public MetaData getMetaData() {
        return meta;
    }

    @Override
    public GlobalUpdates getGlobalUpdates() {
        return cleared ? UpdatesView.readOnly(List.of(), List.of()) : updates;
    }

    @Override
    public boolean isActive() {
        return false;
    }

    @Override
    public Object getMetaTag(String name) {
        return tags.get(name);
    }

    @Override
    public void setMetaTag(String name, Object value) {
        throw readOnly("setMetaTag");
    }

    /** A view was never active: the listener runs right away (on the listener executor), as for a released profile. */
    @Override
    public Subscription listenToRelease(Runnable listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        listenerExecutor.execute(listener);
        return noSubscription;
    }

    /** A view holds no session: the listener runs right away (on the listener executor). */
    @Override
    public Subscription listenToHopReady(Runnable listener) {
        return listenToRelease(listener);
    }

    /** A view never saves: a signal that never fires. */
    @Override
    public Signal<Consumer<Map<String, Object>>> metaTagsUpdated() {
        return never();
    }

    private <L> Signal<L> never() {
        return listener -> {
            if (listener == null) {
                throw new IllegalArgumentException("listener must not be null");
            }
            return noSubscription;
        };
    }

    @Override
    public List<Long> getUserIds() {
        return userIds;
    }

    @Override
    public void addUserId(long userId) {
        throw readOnly("addUserId");
    }

    @Override
    public void removeUserId(long userId) {
        throw readOnly("removeUserId");
    }

    @Override
    public void reconcile() {
        throw readOnly("reconcile");
    }

    @Override
    public String identify() {
        return Names.identify(store.name, key);
    }

    @Override
    public KeyInfo getKeyInfo() {
        return new KeyInfo(
                Long.toString(revision),
                Instant.ofEpochMilli(stored.created()),
                Instant.ofEpochMilli(updatedAtMillis),
                userIds);
    }

    /** A view never saves: a signal that never fires. */
    @Override
    public Signal<Consumer<KeyInfo>> keyInfoUpdated() {
        return never();
    }

    @Override
    public void clearGlobalUpdates() {
        cleared = true;
    }

    @Override
    public void overwrite() {
        if (stored.dataVersion() > store.model.version()) {
            throw new DataModelException(
                    "overwrite of " + identify() + " refused: its data is at version "
                            + stored.dataVersion() + ", newer than this server's data model (version "
                            + store.model.version()
                            + "), which would write it back in an older shape; overwrite it from a server that knows it",
                    null);
        }
        byte[] payload = store.engine.codec.encodePayload(
                stored.created(),
                stored.loads(),
                data,
                tags,
                cleared ? List.of() : stored.locked(),
                userIds,
                store.model.version()); // a version from before a migration is written back migrated
        store.history.overwrite(key, payload, cleared, userIds);
    }

    /** A no-op: a view holds no session. */
    @Override
    public void release() {}

    @Override
    public java.util.concurrent.CompletableFuture<Void> releaseAsync() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public void save() {
        throw readOnly("save");
    }

    private IllegalStateException readOnly(String method) {
        return new IllegalStateException(method + " called on a view of profile '" + key + "': views are read-only");
    }

    @Override
    public String toString() {
        return "Profile{" + key + ", view}";
    }
}
