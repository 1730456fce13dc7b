package dev.profileservice.spi;

import java.util.List;

/**
 * The administrative operations of a store, apart from what the engine needs ({@link Backend}):
 * what the {@code profiles} tool and operators' consoles use to look around and repair. Offered
 * through {@link Backend#admin()}. Each method is one atomic operation, blocking, callable from any
 * thread.
 */
public interface BackendAdmin {

    /** The admin operations of {@code backend}, or an {@link IllegalArgumentException} naming the store if it has none. */
    static BackendAdmin of(Backend backend) {
        return backend.admin()
                .orElseThrow(() -> new IllegalArgumentException("the store " + backend.describe()
                        + " offers no administrative operations (Backend.admin() is empty)"));
    }

    /** All heartbeat rows, each judged like {@link Backend#server}. */
    List<ServerLease> servers();

    /** Number of quarantined copies for a key. */
    int quarantineCount(String store, String key);

    /** The quarantined copies of a key, oldest first (what an operator looks at before repairing it). */
    List<QuarantinedCopy> quarantined(String store, String key);

    /**
     * Administrative release: clears the owner and increments the epoch, so the old owner's next
     * write is refused. Returns the record after, or {@link StoredProfile#ABSENT} if none existed.
     */
    StoredProfile forceRelease(String store, String key);

    /**
     * Deletes a record, its inbox (pending updates and remembered tokens), its kept versions
     * ({@link VersionHistory}) and its quarantined copies. Returns whether a record existed.
     */
    boolean delete(String store, String key);

    /**
     * The names of the profile stores that hold at least one record, in ascending order: what an
     * operator's console offers to browse. A listing like {@link #keys} (on Redis a SCAN of every
     * record), for admin tools, not for a game server's hot path.
     */
    List<String> stores();

    /**
     * Keys of a store in ascending order, starting after {@code afterKey} (null for the first page),
     * at most {@code limit} of them.
     */
    List<String> keys(String store, String afterKey, int limit);

    /**
     * The keys of a store whose profile holds {@code userId} (ProfileService's user ids, for
     * erasure requests), in ascending order, from an index the store keeps with every save that
     * changes a profile's user ids ({@link SaveRequest#userIds()}).
     *
     * @throws UnsupportedOperationException if the store keeps no such index (the default)
     */
    default List<String> keysOfUser(String store, long userId) {
        throw new UnsupportedOperationException("this store keeps no index of user ids");
    }

    /** Records of a store that have an owner. */
    List<SessionInfo> sessions(String store);
}
