package dev.profileservice.internal;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.Subscription;
import dev.profileservice.spi.UpdateOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The three faces of {@link GlobalUpdates}: the owner's (listen/lock/clear, backed by an
 * {@link ActiveProfile}), the sender's inside a {@code globalUpdateProfile} handler (add/change/clear
 * an Active update, recorded as {@link UpdateOp}s), and a read-only snapshot.
 *
 * <p>The sender's view may start without the profile's updates: a handler that only adds needs
 * none, and is sent without reading. If it asks for them (or changes or clears one), the view
 * notes it and throws {@link NeedsState}; {@link GiftSender} then reads and runs the handler again
 * with them. Each run of a handler gets a fresh view, on one thread.
 */
final class UpdatesView implements GlobalUpdates {
    private enum Mode {
        OWNER,
        HANDLER,
        READ_ONLY
    }

    /** Thrown inside a handler that needs the profile's updates, which its view does not have yet. */
    static final class NeedsState extends RuntimeException {
        NeedsState() {
            super("the global updates of this profile are read first; the handler runs again", null, false, false);
        }
    }

    private final Mode mode;
    private final ActiveProfile<?> profile;
    private final Codec codec;
    /** Handler mode: makes the token of each add (see {@link Engine#newId}). */
    private final java.util.function.Supplier<String> newToken;
    /** Handler mode: the Active updates with versions, or null when not read. */
    private final List<Codec.ActiveUpdate> active;

    private final List<GlobalUpdate> locked;
    private final List<UpdateOp> ops = new ArrayList<>();
    /** Handler mode: the data of each add, in order (the ids come from the store). */
    private final List<Map<String, Object>> added = new ArrayList<>();

    private boolean neededState;
    private volatile boolean open = true;

    private UpdatesView(
            Mode mode,
            ActiveProfile<?> profile,
            Codec codec,
            List<Codec.ActiveUpdate> active,
            List<GlobalUpdate> locked,
            java.util.function.Supplier<String> newToken) {
        this.mode = mode;
        this.profile = profile;
        this.codec = codec;
        this.newToken = newToken;
        this.active = active;
        this.locked = locked;
    }

    static UpdatesView owner(ActiveProfile<?> profile) {
        return new UpdatesView(Mode.OWNER, profile, null, null, null, null);
    }

    /** The sender's view; {@code state} is null when the updates were not read. */
    static UpdatesView handler(
            Codec codec, Codec.Inbox state, List<GlobalUpdate> locked, java.util.function.Supplier<String> newToken) {
        return new UpdatesView(
                Mode.HANDLER,
                null,
                codec,
                state == null ? null : new ArrayList<>(state.active()),
                List.copyOf(locked),
                newToken);
    }

    static UpdatesView readOnly(List<GlobalUpdate> active, List<GlobalUpdate> locked) {
        List<Codec.ActiveUpdate> versioned =
                active.stream().map(u -> new Codec.ActiveUpdate(u, 0)).toList();
        return new UpdatesView(Mode.READ_ONLY, null, null, versioned, List.copyOf(locked), null);
    }

    void close() {
        open = false;
    }

    /** Whether the handler asked for the updates while this view had none. */
    boolean neededState() {
        return neededState;
    }

    /** The handler's changes, in the order it made them. */
    List<UpdateOp> ops() {
        return List.copyOf(ops);
    }

    /** Whether the handler only added updates. */
    boolean onlyAdds() {
        return ops.stream().allMatch(op -> op instanceof UpdateOp.Add);
    }

    /** The read-only result of the send: what the handler saw (if anything), then its adds with the ids the store gave. */
    GlobalUpdates result(List<Long> addedIds) {
        List<GlobalUpdate> after = new ArrayList<>();
        if (active != null) {
            active.forEach(u -> after.add(u.update()));
        }
        for (int i = 0; i < added.size(); i++) {
            after.add(codec.update(addedIds.get(i), added.get(i)));
        }
        return readOnly(after, locked);
    }

    @Override
    public List<GlobalUpdate> getActiveUpdates() {
        if (mode == Mode.OWNER) {
            return profile.activeUpdates();
        }
        return state().stream().map(Codec.ActiveUpdate::update).toList();
    }

    @Override
    public List<GlobalUpdate> getLockedUpdates() {
        if (mode == Mode.OWNER) {
            return profile.lockedUpdates();
        }
        state();
        return List.copyOf(locked);
    }

    private List<Codec.ActiveUpdate> state() {
        if (active == null) {
            neededState = true;
            throw new NeedsState();
        }
        return active;
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
    public void addActiveUpdate(Map<String, Object> data) {
        requireHandler("addActiveUpdate");
        byte[] bytes = codec.encodeUpdateData(data);
        added.add(codec.copyMap(data, "global update data"));
        // the token makes the add idempotent: a retry after a lost reply does not add it twice
        ops.add(new UpdateOp.Add(newToken.get(), bytes));
    }

    @Override
    public void changeActiveUpdate(long id, Map<String, Object> data) {
        requireHandler("changeActiveUpdate");
        int i = indexOf(id);
        ops.add(new UpdateOp.Change(id, active.get(i).version(), codec.encodeUpdateData(data)));
        active.set(
                i, new Codec.ActiveUpdate(codec.update(id, data), active.get(i).version() + 1));
    }

    @Override
    public void clearActiveUpdate(long id) {
        requireHandler("clearActiveUpdate");
        int i = indexOf(id);
        ops.add(new UpdateOp.Clear(id, active.get(i).version()));
        active.remove(i);
    }

    private int indexOf(long id) {
        List<Codec.ActiveUpdate> now = state();
        for (int i = 0; i < now.size(); i++) {
            if (now.get(i).id() == id) {
                return i;
            }
        }
        boolean isLocked = locked.stream().anyMatch(u -> u.id() == id);
        throw new IllegalArgumentException("global update " + id
                + (isLocked
                        ? " is Locked: only Active updates can be changed or cleared by a sender"
                        : " is not an Active update of this profile"));
    }

    private void requireOwner(String method) {
        if (mode != Mode.OWNER) {
            throw new IllegalStateException(
                    method + " is only available on Profile.getGlobalUpdates() of an active profile");
        }
        if (!profile.isActive()) {
            throw new IllegalStateException(
                    method + " called on profile '" + profile.getKey() + "', which is no longer active");
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
