package dev.profileservice.spi;

/**
 * Outcome of {@link Backend#save}.
 *
 * @param status what happened
 * @param record the record after the operation when {@code status == SAVED}, else the record as it
 *               is now (for {@code LOST_SESSION} naming the new owner and epoch). Without its
 *               updates ({@link StoredProfile#updates()} empty) and, if the backend prefers, without
 *               its payload (the engine never reads them back): its {@link StoredProfile#updateSeq()}
 *               tells the owner whether new updates arrived, which it then reads with
 *               {@link Backend#readUpdates}
 */
public record SaveResult(Status status, StoredProfile record) {

    /** What a fenced save did. */
    public enum Status {
        /** The payload was written (and the updates it consumed taken out of the inbox). */
        SAVED,
        /** Nothing was written: the epoch or owner no longer match; the session is lost. */
        LOST_SESSION,
        /**
         * Nothing was written: the session is intact, but an update the save consumed is no longer
         * pending at the version named (a sender changed or cleared it); read the updates and retry.
         */
        UPDATES_CHANGED
    }
}
