package dev.profileservice.cli.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The admin actions "wipe" and "erase a user id": delete one profile, or every profile of a profile
 * store that holds a user id (an erasure request; the keys come from the store's index of user ids),
 * each with its inbox, kept versions and quarantined copies in one atomic step
 * ({@code BackendAdmin.delete}); a session holding one has its next save refused. Used by
 * {@code profiles wipe} and the web console, which both ask for confirmation first. Stateless;
 * callable from any thread.
 */
public final class Eraser {
    private Eraser() {}

    /** Deletes {@code key}; true if a record existed. */
    public static boolean wipe(AdminSession session, String key) {
        return session.admin().delete(session.storeName(), key);
    }

    /**
     * Deletes each of {@code keys} (as {@link KeyFinder#ofUser} found them for a user id).
     *
     * @return the keys that had a record
     */
    public static List<String> wipeAll(AdminSession session, List<String> keys) {
        List<String> deleted = new ArrayList<>();
        for (String key : keys) {
            if (wipe(session, key)) {
                deleted.add(key);
            }
        }
        return deleted;
    }
}
