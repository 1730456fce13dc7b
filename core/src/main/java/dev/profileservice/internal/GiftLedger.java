package dev.profileservice.internal;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.StoredProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The owner's side of an active profile's global updates: the Active ones in the store's inbox as
 * last seen (with the version of each), the Locked ones in the payload, and the locks the game
 * asked for that are not saved yet. A lock takes effect in the owner's fenced save, which names
 * each update it takes out of the inbox at the version it saw ({@link SaveRequest.Consume}) and
 * puts it in the payload, in one atomic write; updates added meanwhile never conflict with it. A
 * Locked update is cleared in the same data edit that applies it.
 *
 * <h2>Uncertain locks</h2>
 * A save whose reply was lost may or may not have locked what it carried. If such an update later
 * leaves the inbox, either the sender cleared it or that save did lock it: the stored payload
 * decides, never a guess. Until that read has succeeded the update stays pending, so a failed read
 * loses nothing (the protocol model in {@code spec/} found that ordering).
 *
 * <h2>Updates that do not decode</h2>
 * An Active update whose data is not a JSON object is set aside by the caller (quarantine) and
 * consumed by the next save without being locked, so the inbox does not keep it forever.
 *
 * <p>Not thread-safe: every method runs under the profile's data lock (the one
 * {@code Profile.edit} holds), from game threads, I/O threads or the listener thread.
 */
final class GiftLedger {
    private final List<GlobalUpdate> locked;
    private List<Codec.ActiveUpdate> active;
    /** The last id the store's inbox had given when we last looked at it. */
    private long seq;
    /** Updates that do not decode, to consume with the next save. */
    private List<PendingUpdate> discard;
    /** Ids the owner asked to lock, not saved yet. Empty (shared, immutable) until the first lock. */
    private Set<Long> pendingLocks = Set.of();
    /** Pending locks whose last save had an unknown outcome (see the class comment). Empty (shared, immutable) until the first. */
    private Set<Long> uncertainLocks = Set.of();
    /** Locks found applied by such a check, whose Locked listeners are still to fire. */
    private List<GlobalUpdate> recoveredLocks = List.of();
    /** Ids of the Active updates already announced to the listeners. */
    private Set<Long> knownActive = Set.of();

    /** Where lock and clear events go, and the profile's store name for them. */
    private final Observation observe;

    private final String store;
    /** When this session first saw each Active update ({@link Observation#nanos()}); kept only when observed. */
    private final Map<Long, Long> seenAt;

    GiftLedger(List<GlobalUpdate> locked, Codec.Inbox inbox, Observation observe, String store) {
        this.locked = new ArrayList<>(locked);
        this.active = inbox.active();
        this.seq = inbox.seq();
        this.discard = inbox.corrupt();
        this.observe = observe;
        this.store = store;
        this.seenAt = observe.on ? new HashMap<>() : Map.of();
        if (!active.isEmpty()) {
            knownActive = new HashSet<>();
            active.forEach(u -> knownActive.add(u.id()));
            seen(active);
        }
    }

    /** Notes when updates were first seen, for the delivery time of their lock. */
    private void seen(List<Codec.ActiveUpdate> updates) {
        if (observe.on) {
            long now = observe.nanos();
            updates.forEach(u -> seenAt.putIfAbsent(u.id(), now));
        }
    }

    List<GlobalUpdate> active() {
        return active.stream().map(Codec.ActiveUpdate::update).toList();
    }

    List<GlobalUpdate> locked() {
        return List.copyOf(locked);
    }

    /**
     * Asks for {@code id} to be locked at the next save. Returns false if it is asked already.
     *
     * @throws IllegalArgumentException if {@code id} is not an Active update
     */
    boolean requestLock(long id, String key) {
        if (pendingLocks.contains(id)) {
            return false;
        }
        if (find(id) == null) {
            throw new IllegalArgumentException("global update " + id + " is not an Active update of profile '" + key
                    + "'" + (locked.stream().anyMatch(u -> u.id() == id) ? " (it is already Locked)" : ""));
        }
        if (pendingLocks.isEmpty()) {
            pendingLocks = new LinkedHashSet<>();
        }
        pendingLocks.add(id);
        return true;
    }

    /**
     * Clears a Locked update (the game applied it in the same edit).
     *
     * @throws IllegalArgumentException if {@code id} is not a Locked update
     */
    void clearLocked(long id, String key) {
        if (!locked.removeIf(u -> u.id() == id)) {
            throw new IllegalArgumentException(
                    "global update " + id + " is not a Locked update of profile '" + key + "'");
        }
        observe.giftCleared(store);
    }

    private Codec.ActiveUpdate find(long id) {
        for (Codec.ActiveUpdate u : active) {
            if (u.id() == id) {
                return u;
            }
        }
        return null;
    }

    /**
     * The pending locks the next save carries: those still in the inbox. A pending lock that left
     * the inbox is dropped, unless it is uncertain and the stored payload shows it locked, in which
     * case it becomes Locked (its listeners fire later, see {@link #takeRecovered()}).
     *
     * @param storedLocked reads the Locked updates of the stored payload (one store read; called at
     *                     most once, only for an uncertain lock that left the inbox); may throw, and
     *                     then nothing here has changed
     */
    List<Codec.ActiveUpdate> locksToSave(Supplier<List<GlobalUpdate>> storedLocked) {
        List<Codec.ActiveUpdate> toLock = new ArrayList<>();
        List<Long> gone = new ArrayList<>();
        for (long id : pendingLocks) {
            Codec.ActiveUpdate u = find(id);
            if (u != null) {
                toLock.add(u);
            } else {
                gone.add(id);
            }
        }
        List<GlobalUpdate> stored = null;
        for (long id : gone) {
            if (uncertainLocks.contains(id) && stored == null) {
                stored = storedLocked.get(); // before any id is forgotten: a failed read must lose nothing
            }
        }
        for (long id : gone) {
            pendingLocks.remove(id);
            if (!uncertainLocks.isEmpty() && uncertainLocks.remove(id) && stored != null) {
                stored.stream().filter(x -> x.id() == id).findFirst().ifPresent(found -> {
                    locked.add(found);
                    if (recoveredLocks.isEmpty()) {
                        recoveredLocks = new ArrayList<>();
                    }
                    recoveredLocks.add(found);
                });
            }
            // else: the sender cleared it before our lock reached the store
        }
        return toLock;
    }

    /** The Locked updates the payload holds once {@code toLock} is saved. */
    List<GlobalUpdate> lockedAfter(List<Codec.ActiveUpdate> toLock) {
        List<GlobalUpdate> after = new ArrayList<>(locked);
        toLock.forEach(u -> after.add(u.update()));
        return after;
    }

    /** What the save takes out of the inbox: the updates it locks, and those that do not decode. */
    List<SaveRequest.Consume> consume(List<Codec.ActiveUpdate> toLock) {
        List<SaveRequest.Consume> out = new ArrayList<>(toLock.size() + discard.size());
        toLock.forEach(u -> out.add(new SaveRequest.Consume(u.id(), u.version())));
        discard.forEach(u -> out.add(new SaveRequest.Consume(u.id(), u.version())));
        return out;
    }

    /** A save that consumed {@code consumed} (locking {@code toLock}) was applied. */
    void saved(List<Codec.ActiveUpdate> toLock, List<SaveRequest.Consume> consumed) {
        Set<Long> gone = new HashSet<>();
        consumed.forEach(c -> gone.add(c.id()));
        for (Codec.ActiveUpdate u : toLock) {
            pendingLocks.remove(u.id()); // a mutable set: toLock came from it
            if (!uncertainLocks.isEmpty()) {
                uncertainLocks.remove(u.id());
            }
            locked.add(u.update());
            if (observe.on) {
                Long since = seenAt.remove(u.id());
                observe.giftLocked(store, since != null ? since : observe.nanos());
            }
        }
        if (!gone.isEmpty()) {
            active = active.stream().filter(u -> !gone.contains(u.id())).toList();
            discard = discard.stream().filter(u -> !gone.contains(u.id())).toList();
        }
    }

    /** A save that carried {@code toLock} failed with an unknown outcome: those locks are uncertain now. */
    void outcomeUnknown(List<Codec.ActiveUpdate> toLock) {
        if (toLock.isEmpty()) {
            return;
        }
        if (uncertainLocks.isEmpty()) {
            uncertainLocks = new HashSet<>();
        }
        toLock.forEach(u -> uncertainLocks.add(u.id()));
    }

    /** The locks found applied after a lost reply, to announce; empties the list. */
    List<GlobalUpdate> takeRecovered() {
        List<GlobalUpdate> recovered = recoveredLocks;
        recoveredLocks = List.of();
        return recovered;
    }

    /** Whether the store has given ids we have not seen ({@code updateSeq} of a record a save answered with). */
    boolean behind(long updateSeq) {
        return updateSeq > seq;
    }

    /**
     * Takes the store's Active updates as current; returns those not seen before.
     *
     * @param record a record read with its updates ({@code read}, {@code readUpdates}, {@code acquire})
     * @param corrupt called with each update whose data does not decode (the caller sets it aside);
     *                the next save consumes it
     */
    List<GlobalUpdate> adopt(StoredProfile record, Codec codec, Consumer<PendingUpdate> corrupt) {
        Codec.Inbox inbox = codec.decodeInbox(record);
        Set<Long> discarded = new HashSet<>();
        discard.forEach(u -> discarded.add(u.id()));
        List<PendingUpdate> newlyCorrupt = new ArrayList<>();
        for (PendingUpdate u : inbox.corrupt()) {
            if (!discarded.contains(u.id())) {
                corrupt.accept(u);
                newlyCorrupt.add(u);
            }
        }
        if (!newlyCorrupt.isEmpty() || discard.size() != inbox.corrupt().size()) {
            discard = inbox.corrupt();
        }
        active = inbox.active();
        seq = Math.max(seq, inbox.seq());
        List<GlobalUpdate> fresh = new ArrayList<>();
        Set<Long> now = new HashSet<>();
        for (Codec.ActiveUpdate u : active) {
            now.add(u.id());
            if (!knownActive.contains(u.id())) {
                fresh.add(u.update());
            }
        }
        knownActive = now.isEmpty() ? Set.of() : now;
        if (observe.on) {
            seenAt.keySet().retainAll(now); // cleared by their senders meanwhile
            seen(active);
        }
        return fresh;
    }
}
