package dev.profileservice.internal;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.spi.StoredProfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The owner's side of an active profile's global updates: the Active ones in the store's inbox as
 * last seen, the Locked ones in the payload, and the locks the game asked for that are not saved
 * yet. A lock takes effect in the owner's fenced save, which moves the update from the inbox into
 * the payload in one atomic write (inbox compare-and-set); clearing a Locked update is saved with
 * the data change that applied it.
 *
 * <h2>Uncertain locks</h2>
 * A save whose reply was lost may or may not have locked what it carried. If such an update later
 * leaves the inbox, either the sender cleared it or that save did lock it: the stored payload
 * decides, never a guess. Until that read has succeeded the update stays pending, so a failed read
 * loses nothing (the protocol model in {@code spec/} found that ordering).
 *
 * <p>Not thread-safe: every method runs under the profile's data lock (the one
 * {@code Profile.edit} holds), from game threads, I/O threads or the listener thread.
 */
final class GiftLedger {
    private final Codec codec;
    private final List<GlobalUpdate> locked;
    private Codec.Inbox inbox;
    private long inboxVersion;
    /** The stored inbox could not be decoded: the next save writes a fresh one. */
    private boolean resetInbox;
    /** Ids the owner asked to lock, not saved yet. Empty (shared) until the first lock. */
    private Set<Long> pendingLocks = Set.of();
    /** Pending locks whose last save had an unknown outcome (see the class comment). Empty (shared, immutable) until the first. */
    private Set<Long> uncertainLocks = Set.of();
    /** Locks found applied by such a check, whose Locked listeners are still to fire. */
    private List<GlobalUpdate> recoveredLocks = List.of();
    /** Ids of the Active updates already announced to the listeners. */
    private Set<Long> knownActive = Set.of();

    GiftLedger(Codec codec, List<GlobalUpdate> locked, Codec.Inbox inbox, long inboxVersion, boolean resetInbox) {
        this.codec = codec;
        this.locked = new ArrayList<>(locked);
        this.inbox = inbox;
        this.inboxVersion = inboxVersion;
        this.resetInbox = resetInbox;
        if (!inbox.active().isEmpty()) {
            knownActive = new HashSet<>();
            inbox.active().forEach(u -> knownActive.add(u.id()));
        }
    }

    List<GlobalUpdate> active() {
        return List.copyOf(inbox.active());
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
        if (inbox.active().stream().noneMatch(u -> u.id() == id)) {
            throw new IllegalArgumentException("global update " + id + " is not an Active update of profile '" + key + "'"
                    + (locked.stream().anyMatch(u -> u.id() == id) ? " (it is already Locked)" : ""));
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
            throw new IllegalArgumentException("global update " + id + " is not a Locked update of profile '" + key + "'");
        }
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
    List<GlobalUpdate> locksToSave(Supplier<List<GlobalUpdate>> storedLocked) {
        List<GlobalUpdate> toLock = new ArrayList<>();
        List<Long> gone = new ArrayList<>();
        for (long id : pendingLocks) {
            GlobalUpdate u = inbox.active().stream().filter(x -> x.id() == id).findFirst().orElse(null);
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
    List<GlobalUpdate> lockedAfter(List<GlobalUpdate> toLock) {
        List<GlobalUpdate> after = new ArrayList<>(locked);
        after.addAll(toLock);
        return after;
    }

    /** The inbox to write with the save (without the updates it locks), or null when the inbox stays as it is. */
    byte[] inboxAfter(List<GlobalUpdate> toLock) {
        if (toLock.isEmpty() && !resetInbox) {
            return null;
        }
        Set<Long> ids = new HashSet<>();
        toLock.forEach(u -> ids.add(u.id()));
        List<GlobalUpdate> remaining = new ArrayList<>();
        for (GlobalUpdate u : inbox.active()) {
            if (!ids.contains(u.id())) {
                remaining.add(u);
            }
        }
        return codec.encodeInbox(new Codec.Inbox(inbox.next(), remaining));
    }

    /** The inbox version the save's compare-and-set expects. */
    long inboxVersion() {
        return inboxVersion;
    }

    /** A save that carried {@code toLock} (and {@code wroteInbox}) was applied. */
    void saved(List<GlobalUpdate> toLock, boolean wroteInbox) {
        for (GlobalUpdate u : toLock) {
            pendingLocks.remove(u.id()); // a mutable set: toLock came from it
            if (!uncertainLocks.isEmpty()) {
                uncertainLocks.remove(u.id());
            }
            locked.add(u);
        }
        if (wroteInbox) {
            resetInbox = false;
        }
    }

    /** A save that carried {@code toLock} failed with an unknown outcome: those locks are uncertain now. */
    void outcomeUnknown(List<GlobalUpdate> toLock) {
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

    /**
     * Takes the store's inbox as current; returns the Active updates not seen before.
     *
     * @param corrupt called with the bytes and the reason when the inbox cannot be decoded (the
     *                caller sets them aside); the ledger then starts a fresh inbox
     */
    List<GlobalUpdate> adopt(StoredProfile record, BiConsumer<byte[], String> corrupt) {
        if (record.inboxVersion() == inboxVersion) {
            return List.of(); // unchanged since we last looked: nothing to decode (nor to quarantine twice)
        }
        Codec.Inbox decoded;
        try {
            decoded = codec.decodeInbox(record.inbox());
        } catch (Codec.CorruptException e) {
            corrupt.accept(record.inbox(), "inbox: " + e.getMessage());
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
}
