package dev.profileservice.internal;

import dev.profileservice.ActiveSession;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.MetaData;
import dev.profileservice.Profile;
import dev.profileservice.Subscription;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A read-only snapshot of a stored profile ({@code viewProfile}): never active, refuses every
 * write with {@link IllegalStateException}, holds no lock and costs nothing after it is made.
 * Safe to read from any thread (nothing in it changes).
 */
final class ProfileView<T> implements Profile<T> {
    private final String store;
    private final String key;
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
            String store,
            String key,
            Codec.Payload<T> stored,
            List<GlobalUpdate> active,
            ActiveSession session,
            java.util.concurrent.Executor listenerExecutor) {
        this.store = store;
        this.key = key;
        this.listenerExecutor = listenerExecutor;
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
        return updates;
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
    public dev.profileservice.Signal<Consumer<Map<String, Object>>> metaTagsUpdated() {
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
        return Names.identify(store, key);
    }

    /** A no-op: a view holds no session. */
    @Override
    public void release() {}

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
