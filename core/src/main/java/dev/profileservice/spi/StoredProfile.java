package dev.profileservice.spi;

/**
 * One profile record as a backend keeps it. Immutable snapshot; arrays are not copied, so callers
 * must not modify them.
 *
 * @param payload      the owner-written bytes (the engine's encoding of data, meta tags and locked
 *                     global updates), or {@code null} if no session has saved yet
 * @param epoch        the fencing token: 0 for a record never acquired, incremented by one on every
 *                     successful {@link Backend#acquire acquire} and every {@link BackendAdmin#forceRelease}
 * @param owner        the session holding the record, or {@code null} when released
 * @param inbox        the sender-written bytes (the engine's encoding of pending Active global
 *                     updates), or {@code null} if none were ever sent
 * @param inboxVersion 0 when there is no inbox; incremented by one on every inbox write, by senders
 *                     ({@link Backend#writeInbox}) or by the owner ({@link SaveRequest#newInbox()})
 */
public record StoredProfile(byte[] payload, long epoch, Owner owner, byte[] inbox, long inboxVersion) {

    /** The value a missing record reads as. */
    public static final StoredProfile ABSENT = new StoredProfile(null, 0, null, null, 0);

    /** True when no session has saved a payload and no global update was ever sent. */
    public boolean isEmpty() {
        return payload == null && inbox == null;
    }
}
