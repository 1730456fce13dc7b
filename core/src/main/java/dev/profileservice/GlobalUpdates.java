package dev.profileservice;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Global updates of one profile: messages (gifts) sent to a profile from any server, processed by
 * its owner through Active &rarr; Locked &rarr; Cleared.
 *
 * <p>Two views exist. {@code Profile.getGlobalUpdates()} of an active profile offers the
 * listen/lock/clear methods. The object passed to the handler of
 * {@link ProfileStore#globalUpdateProfile} offers the add/change/clear-active methods. Every other
 * use throws {@link IllegalStateException}.
 *
 * <p><b>Exactly once.</b> {@link #lockActiveUpdate} takes effect at the next save, which moves the
 * update out of the sender's inbox and into the profile record atomically; only then does
 * {@link #listenToNewLockedUpdate} fire. In that listener, call {@link #clearLockedUpdate} and apply
 * the update to the data <em>inside one {@link Profile#edit}</em>, clearing first:
 * <pre>{@code
 * updates.listenToNewLockedUpdate((id, gift) -> profile.edit(data -> {
 *     updates.clearLockedUpdate(id);   // throws if it is no longer Locked, before anything changed
 *     data.coins += ((Number) gift.get("coins")).intValue();   // saved together with the clear
 * }));
 * }</pre>
 * A save encodes under the same lock, so the data change and the clear reach the store in one
 * atomic write: after a crash or a steal either both happened or the update is still Locked and is
 * processed again by the next owner. (Applying in one {@code edit} and clearing after it leaves a
 * moment where a save holds the applied gift with the update still Locked.)
 *
 * <p><b>Threads.</b> Listeners run on the service's listener executor, never two of the same profile
 * at once, and only while the profile is active.
 */
public interface GlobalUpdates {

    /** Active updates (sent, not yet locked), oldest first. */
    List<GlobalUpdate> getActiveUpdates();

    /** Locked updates (ready to process, not yet cleared), oldest first. */
    List<GlobalUpdate> getLockedUpdates();

    /**
     * Calls {@code listener(id, data)} for every Active update that arrives after this call.
     * Updates already present at load are in {@link #getActiveUpdates()}: scan them once after load.
     */
    Subscription listenToNewActiveUpdate(BiConsumer<Long, Map<String, Object>> listener);

    /**
     * Calls {@code listener(id, data)} for every update this session locks, once the lock is saved.
     * Updates locked by an earlier session are in {@link #getLockedUpdates()}.
     */
    Subscription listenToNewLockedUpdate(BiConsumer<Long, Map<String, Object>> listener);

    /**
     * Turns an Active update into a Locked one at the next save, and asks for that save to happen
     * soon (coalesced with any other pending save), so gifts do not wait for the auto-save. Calling
     * it again for the same id before that save does nothing.
     *
     * @throws IllegalStateException    if this is not an active profile's view
     * @throws IllegalArgumentException if {@code id} is not an Active update
     */
    void lockActiveUpdate(long id);

    /**
     * Removes a Locked update; saved atomically with the data at the next save, which it asks to
     * happen soon. Call it inside the same {@link Profile#edit} that applies the update, before
     * changing the data (see above).
     *
     * @throws IllegalStateException    if this is not an active profile's view
     * @throws IllegalArgumentException if {@code id} is not a Locked update
     */
    void clearLockedUpdate(long id);

    /**
     * Sends a new Active update (handler only). The store numbers it when the send is written: its
     * id is in the {@code GlobalUpdates} that {@link ProfileStore#globalUpdateProfile} returns.
     * Adding never conflicts with other senders.
     *
     * @throws IllegalArgumentException if {@code data} is null or not JSON-encodable
     */
    void addActiveUpdate(Map<String, Object> data);

    /**
     * Replaces the data of an Active update (handler only). If the owner locks the update before the
     * change is written, the handler runs again and sees it Locked.
     *
     * @throws IllegalArgumentException if {@code id} is not an Active update (it was never sent, or
     *                                  the owner locked it: only Active updates may be changed)
     */
    void changeActiveUpdate(long id, Map<String, Object> data);

    /**
     * Removes an Active update (handler only).
     *
     * @throws IllegalArgumentException if {@code id} is not an Active update
     */
    void clearActiveUpdate(long id);
}
