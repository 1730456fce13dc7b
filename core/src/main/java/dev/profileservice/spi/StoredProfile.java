package dev.profileservice.spi;

import java.util.List;
import java.util.Objects;

/**
 * One profile record as a backend keeps it. Immutable snapshot; arrays are not copied, so callers
 * must not modify them.
 *
 * @param payload   the owner-written bytes (the engine's encoding of data, meta tags and locked
 *                  global updates), or {@code null} if no session ever took the record (it exists
 *                  only because global updates were sent to it)
 * @param epoch     the fencing token: 0 for a record never acquired, incremented by one on every
 *                  successful {@link Backend#acquire acquire} and every {@link BackendAdmin#forceRelease}
 * @param owner     the session holding the record, or {@code null} when released
 * @param updates   the Active global updates waiting in the inbox, in id order; empty in the record
 *                  a save answers with (see {@link Backend#save}): {@code updateSeq} says whether
 *                  new ones arrived
 * @param updateSeq the last id the inbox gave to an update (0 if none ever); grows with every add
 * @param revision  how many payload writes the record has had (saves and overwrites; the first
 *                  load's write does not count): the id of the version the payload is
 *                  ({@link VersionHistory}); 0 from a store that does not count them
 */
public record StoredProfile(
        byte[] payload, long epoch, Owner owner, List<PendingUpdate> updates, long updateSeq, long revision) {

    public StoredProfile {
        Objects.requireNonNull(updates, "updates");
    }

    /** A record of a store that does not count revisions (revision 0). */
    public StoredProfile(byte[] payload, long epoch, Owner owner, List<PendingUpdate> updates, long updateSeq) {
        this(payload, epoch, owner, updates, updateSeq, 0);
    }

    /** The value a missing record reads as. */
    public static final StoredProfile ABSENT = new StoredProfile(null, 0, null, List.of(), 0);

    /** True when no session ever saved a payload and no global update was ever sent. */
    public boolean isEmpty() {
        return payload == null && updateSeq == 0;
    }

    /** This record without its updates (what a save answers): the session fields and the sequence. */
    public StoredProfile withoutUpdates() {
        return updates.isEmpty() ? this : new StoredProfile(payload, epoch, owner, List.of(), updateSeq, revision);
    }
}
