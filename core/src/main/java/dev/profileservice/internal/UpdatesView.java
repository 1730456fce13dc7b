package dev.profileservice.internal;

import dev.profileservice.Subscription;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The three faces of {@link GlobalUpdates}: the owner's (listen/lock/clear, backed by an active
 * {@link ActiveProfile}), the sender's inside a {@code globalUpdateProfile} handler (add/change/clear
 * an Active update, on a private copy of the inbox), and a read-only snapshot.
 */
final class UpdatesView implements GlobalUpdates {
    private enum Mode { OWNER, HANDLER, READ_ONLY }

    private final Mode mode;
    private final ActiveProfile<?> profile;
    private final Codec codec;
    private final List<GlobalUpdate> active;
    private final List<GlobalUpdate> locked;
    private long next;
    private boolean changed;
    private volatile boolean open = true;

    private UpdatesView(Mode mode, ActiveProfile<?> profile, Codec codec, List<GlobalUpdate> active, List<GlobalUpdate> locked, long next) {
        this.mode = mode;
        this.profile = profile;
        this.codec = codec;
        this.active = active;
        this.locked = locked;
        this.next = next;
    }

    static UpdatesView owner(ActiveProfile<?> profile) {
        return new UpdatesView(Mode.OWNER, profile, null, null, null, 0);
    }

    static UpdatesView handler(Codec codec, Codec.Inbox inbox, List<GlobalUpdate> locked) {
        return new UpdatesView(Mode.HANDLER, null, codec, new ArrayList<>(inbox.active()), List.copyOf(locked), inbox.next());
    }

    static UpdatesView readOnly(List<GlobalUpdate> active, List<GlobalUpdate> locked) {
        return new UpdatesView(Mode.READ_ONLY, null, null, List.copyOf(active), List.copyOf(locked), 0);
    }

    void close() {
        open = false;
    }

    boolean changed() {
        return changed;
    }

    Codec.Inbox inbox() {
        return new Codec.Inbox(next, List.copyOf(active));
    }

    @Override
    public List<GlobalUpdate> getActiveUpdates() {
        return mode == Mode.OWNER ? profile.activeUpdates() : List.copyOf(active);
    }

    @Override
    public List<GlobalUpdate> getLockedUpdates() {
        return mode == Mode.OWNER ? profile.lockedUpdates() : List.copyOf(locked);
    }

    @Override
    public Subscription listenToNewActiveUpdate(BiConsumer<Long, Map<String, Object>> listener) {
        requireOwner("listenToNewActiveUpdate");
        return profile.activeListeners.connect(listener);
    }

    @Override
    public Subscription listenToNewLockedUpdate(BiConsumer<Long, Map<String, Object>> listener) {
        requireOwner("listenToNewLockedUpdate");
        return profile.lockedListeners.connect(listener);
    }

    @Override
    public void lockActiveUpdate(long id) {
        requireOwner("lockActiveUpdate");
        profile.lockActiveUpdate(id);
    }

    @Override
    public void clearLockedUpdate(long id) {
        requireOwner("clearLockedUpdate");
        profile.clearLockedUpdate(id);
    }

    @Override
    public long addActiveUpdate(Map<String, Object> data) {
        requireHandler("addActiveUpdate");
        GlobalUpdate update = codec.update(next, data);
        active.add(update);
        next++;
        changed = true;
        return update.id();
    }

    @Override
    public void changeActiveUpdate(long id, Map<String, Object> data) {
        requireHandler("changeActiveUpdate");
        int i = indexOf(id);
        active.set(i, codec.update(id, data));
        changed = true;
    }

    @Override
    public void clearActiveUpdate(long id) {
        requireHandler("clearActiveUpdate");
        active.remove(indexOf(id));
        changed = true;
    }

    private int indexOf(long id) {
        for (int i = 0; i < active.size(); i++) {
            if (active.get(i).id() == id) {
                return i;
            }
        }
        boolean isLocked = locked.stream().anyMatch(u -> u.id() == id);
        throw new IllegalArgumentException("global update " + id + (isLocked
                ? " is Locked: only Active updates can be changed or cleared by a sender"
                : " is not an Active update of this profile"));
    }

    private void requireOwner(String method) {
        if (mode != Mode.OWNER) {
            throw new IllegalStateException(method + " is only available on Profile.getGlobalUpdates() of an active profile");
        }
        if (!profile.isActive()) {
            throw new IllegalStateException(method + " called on profile '" + profile.getKey() + "', which is no longer active");
        }
    }

    private void requireHandler(String method) {
        if (mode != Mode.HANDLER) {
            throw new IllegalStateException(method + " is only available inside a globalUpdateProfile handler");
        }
        if (!open) {
            throw new IllegalStateException(method + " called after the globalUpdateProfile handler returned");
        }
    }
}
