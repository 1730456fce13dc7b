package dev.profileservice.spi;

/**
 * Outcome of {@link Backend#save}.
 *
 * @param status       what happened
 * @param record       the record after the operation when {@code status == SAVED} (its inbox is what
 *                     the owner must look at for new global updates), else the record as it is now
 *                     (for {@code LOST_SESSION} naming the new owner and epoch, for
 *                     {@code INBOX_CHANGED} carrying the current inbox to rebase on).
 *                     Backends may leave {@link StoredProfile#payload()} null in this record
 *                     (the engine never reads it back): it saves a transfer.
 */
public record SaveResult(Status status, StoredProfile record) {

    /** What a fenced save did. */
    public enum Status {
        /** The payload (and inbox, if requested) was written. */
        SAVED,
        /** Nothing was written: the epoch or owner no longer match; the session is lost. */
        LOST_SESSION,
        /** Nothing was written: the session is intact but the inbox moved on; rebase and retry. */
        INBOX_CHANGED
    }
}
