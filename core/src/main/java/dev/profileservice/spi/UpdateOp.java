package dev.profileservice.spi;

import java.util.Objects;

/**
 * One change a sender makes to a profile's Active global updates, applied by
 * {@link Backend#sendUpdates} together with the others of the same send, all or nothing.
 */
public sealed interface UpdateOp {

    /**
     * Adds an update; the store gives it the profile's next id. Never conflicts with other senders.
     *
     * @param token makes the add idempotent: an add whose token the store has seen (pending, or
     *              consumed within {@link Backend#TOKEN_RETENTION}) adds nothing and answers the id
     *              of the first; a sender retrying after a lost reply sends the same token. 1 to
     *              {@link #MAX_TOKEN_LENGTH} characters (the engine sends a random UUID)
     * @param data  the engine's encoding of the update's data
     */
    record Add(String token, byte[] data) implements UpdateOp {
        /** The longest token a store must keep (SQL stores size their column by it). */
        public static final int MAX_TOKEN_LENGTH = 128;

        public Add {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(data, "data");
            if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
                throw new IllegalArgumentException(
                        "an update token must have 1 to " + MAX_TOKEN_LENGTH + " characters, not " + token.length());
            }
        }
    }

    /** Replaces an Active update's data, if it is still pending with {@code expectedVersion}; its version then grows by one. */
    record Change(long id, long expectedVersion, byte[] data) implements UpdateOp {
        public Change {
            Objects.requireNonNull(data, "data");
        }
    }

    /** Removes an Active update, if it is still pending with {@code expectedVersion}. */
    record Clear(long id, long expectedVersion) implements UpdateOp {}
}
