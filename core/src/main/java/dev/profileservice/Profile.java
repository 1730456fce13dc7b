package dev.profileservice;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * A loaded profile: ProfileService's {@code Profile}. Obtained from {@link ProfileStore#loadProfile}
 * (active: this server holds the session lock and saves it) or {@link ProfileStore#viewProfile}
 * (a read-only snapshot that is never active).
 *
 * <h2>Editing and threads</h2>
 * An auto-save encodes the data on a background thread. To make sure no save ever contains a
 * half-applied edit, make every change that spans more than one field inside {@link #edit}: it runs
 * the editor while holding the profile's lock, and saves encode under the same lock. Single
 * {@link #setData} and {@link #setMetaTag} calls take the lock themselves. Reading without the lock
 * is fine from the thread that edits.
 *
 * @param <T> the data type
 */
public interface Profile<T> {

    /** The profile key. */
    String getKey();

    /** The data: ProfileService's {@code Profile.Data}. Mutate it inside {@link #edit}. */
    T getData();

    /**
     * Replaces the data.
     *
     * @throws IllegalArgumentException if {@code data} is null or cannot be encoded
     * @throws IllegalStateException    if the profile is not active
     */
    void setData(T data);

    /**
     * Runs {@code editor} on the data while holding this profile's lock, so that no save sees the
     * edit half-done. Re-entrant; keep it short and never block inside.
     *
     * @throws IllegalStateException if the profile is not active (nothing is run)
     */
    void edit(Consumer<T> editor);

    /** The profile's metadata. */
    MetaData getMetaData();

    /** The global updates of this profile (the listen/lock/clear view). */
    GlobalUpdates getGlobalUpdates();

    /**
     * True while this server holds the session lock and saving is guaranteed. Turns false on
     * {@link #release()}, on {@code ProfileService.close()}, and when another server took the
     * profile over (detected at the next save or by a release request).
     */
    boolean isActive();

    /** A meta tag's value, or null. */
    Object getMetaTag(String name);

    /**
     * Sets a meta tag, saved with the data.
     *
     * @throws IllegalStateException    if the profile is not active
     * @throws IllegalArgumentException if the name is null/empty or the value is not JSON-encodable
     */
    void setMetaTag(String name, Object value);

    /**
     * Calls {@code listener} once when the profile stops being active, for whatever reason. Runs
     * on the listener executor. If the profile is already inactive, the listener runs right away
     * (on that executor).
     */
    Subscription listenToRelease(Runnable listener);

    /**
     * Calls {@code listener} once the session has ended and its last write is done: the releasing
     * save is durable and the session lock is free, or the session turned out to be taken over (no
     * write of this server can land any more). ProfileService's {@code ListenToHopReady}: send the
     * player to another server from here, and its load there does not wait. Runs on the listener
     * executor; right away if that point has passed (and on a view, which holds no session).
     */
    Subscription listenToHopReady(Runnable listener);

    /**
     * ProfileService's {@code MetaTagsUpdated}: after every save that writes the profile (an
     * unchanged profile is not rewritten), the meta tags as that save wrote them (the new
     * {@link MetaData#getMetaTagsLatest()}), including the releasing save.
     * Listeners run on the listener executor, in the order of the saves. A view never fires it.
     */
    Signal<java.util.function.Consumer<java.util.Map<String, Object>>> metaTagsUpdated();

    /**
     * ProfileService's {@code UserIds}: the user ids saved with this profile, in the order added, for
     * erasure requests (which profiles hold a person's data). Unmodifiable; a copy.
     */
    java.util.List<Long> getUserIds();

    /**
     * ProfileService's {@code AddUserId}: saves {@code userId} with the profile (at its next save);
     * a no-op if it is there already.
     *
     * @throws IllegalStateException if the profile is not active (a view is read-only)
     */
    void addUserId(long userId);

    /**
     * ProfileService's {@code RemoveUserId}: removes {@code userId} (at the next save); a no-op if it
     * is not there.
     *
     * @throws IllegalStateException if the profile is not active (a view is read-only)
     */
    void removeUserId(long userId);

    /**
     * ProfileService's {@code KeyInfo}: which version of the profile this is and when it was made.
     *
     * @param version     the version id ({@link ProfileStore#viewProfile(String, String)} takes it):
     *                    for an active profile, the version its last completed save wrote (the
     *                    loaded one before its first save); "0" for a profile never saved
     * @param createdTime when the profile was first loaded anywhere
     * @param updatedTime when this version was written: by the store's clock for a kept version
     *                    (a view from {@link ProfileVersionQuery} or of a version); for an active
     *                    profile, when its last completed save ended (its load, before that); for a
     *                    view of the latest data, when the view was read, unless it is a kept version
     * @param userIds     the user ids saved with this version
     */
    record KeyInfo(String version, Instant createdTime, Instant updatedTime, List<Long> userIds) {
        public KeyInfo {
            userIds = List.copyOf(userIds);
        }
    }

    /** ProfileService's {@code KeyInfo}: this profile's version and times (see {@link KeyInfo}). */
    KeyInfo getKeyInfo();

    /**
     * ProfileService's {@code KeyInfoUpdated}: after every completed save that writes the profile
     * (the releasing one too), the {@link KeyInfo} it made. Listeners run on the listener executor,
     * in the order of the saves. A view never fires it.
     */
    Signal<Consumer<KeyInfo>> keyInfoUpdated();

    /**
     * ProfileService's {@code ClearGlobalUpdates}: on a view only, removes its Active and Locked
     * global updates, so that an {@link #overwrite()} that follows writes none and clears the pending
     * ones in the store. Changes only this view until then.
     *
     * @throws IllegalStateException on an active profile
     */
    void clearGlobalUpdates();

    /**
     * ProfileService's {@code OverwriteAsync}, the rollback: on a view only (of a version or of the
     * latest data), writes the view's data, meta tags, user ids and Locked global updates as the
     * newest version of the profile, kept in the history with cause "overwrite". Any live session on
     * the key ends as a steal ends it: the owner's later writes are refused and its release
     * listeners fire, so the next load reads what this wrote. After {@link #clearGlobalUpdates()}, the
     * profile's pending global updates are cleared in the same write. Blocks until it is durable.
     *
     * @throws IllegalStateException         on an active profile, or if the profile no longer exists
     *                                       (wiped: an overwrite never brings it back); nothing is
     *                                       written
     * @throws UnsupportedOperationException if the store keeps no history
     * @throws ProfileServiceException       if the store keeps failing
     */
    void overwrite();

    /**
     * ProfileService's {@code Reconcile}: fills what is missing in the data from the store's
     * template, recursively (map keys that are absent; fields or record components that are null),
     * never overwriting a value that is there. Lists are not merged. Call it after a load when the
     * template gained fields since the profile was last saved. A class's or map's data object is
     * filled in place; a record is replaced by a filled copy ({@link #getData()} returns it).
     *
     * @throws IllegalStateException if the profile is not active (a view is read-only)
     */
    void reconcile();

    /**
     * ProfileService's {@code Identify}: the store and the key, for log lines, e.g.
     * {@code [Store:"PlayerData";Key:"Player_2312310"]}.
     */
    String identify();

    /**
     * Saves one last time and frees the session lock. Returns once that save is durable (it keeps
     * retrying while the store fails, reporting each failure on the issue signal) or once it turns
     * out another server had taken the profile. Idempotent; a no-op for view profiles.
     */
    void release();

    /**
     * {@link #release()} without waiting: the profile stops being active before this returns (its
     * release listeners are queued on the listener executor); the future completes, on a store
     * thread, when the final save is durable or when it turns out another server had taken the
     * profile. For a game's main thread, which must not wait on the store. Idempotent; a completed
     * future for view profiles.
     */
    java.util.concurrent.CompletableFuture<Void> releaseAsync();

    /**
     * Requests a save soon, without blocking; coalesced with any save already pending. Use it to
     * hurry global-update and meta-tag propagation, not for saving data (auto-save does that).
     *
     * @throws IllegalStateException if the profile is not active
     */
    void save();
}
