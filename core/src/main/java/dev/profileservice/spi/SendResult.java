package dev.profileservice.spi;

import java.util.List;

/**
 * Outcome of {@link Backend#sendUpdates}.
 *
 * @param status   what happened
 * @param addedIds when {@code APPLIED}, the id of each {@link UpdateOp.Add} of the send, in order
 *                 (the first id of a token seen before); otherwise empty
 * @param owner    the session holding the profile now, or null; the engine tells it new updates arrived
 */
public record SendResult(Status status, List<Long> addedIds, Owner owner) {

    /** What a send did. */
    public enum Status {
        /** Every operation was applied. */
        APPLIED,
        /** Nothing was applied: a change or clear found its update gone (locked by the owner, or cleared) or at another version. */
        CONFLICT,
        /** Nothing was applied: the adds would take the profile's pending updates over the limit given. */
        FULL
    }
}
