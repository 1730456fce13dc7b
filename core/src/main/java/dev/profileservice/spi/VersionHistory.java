package dev.profileservice.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The versions a store keeps of each profile, offered through {@link Backend#history()}.
 *
 * <h2>Model</h2>
 * Every write of a payload (a fenced save, an {@link #overwrite}) increments the record's revision
 * ({@link StoredProfile#revision()}). A write whose request says {@link SaveRequest#keepAs()} also
 * stores a copy of the payload under that revision, <em>in the same atomic operation</em> (the same
 * statement or transaction, the same script): never a save without its version nor a version
 * without its save, and no extra round trip. The engine decides which saves are kept (see
 * {@code ProfileService.Builder#versionInterval}); the store keeps what it is told until
 * {@link #prune} removes it. {@link BackendAdmin#delete} removes the versions with the record.
 *
 * <h2>Threads</h2>
 * Each method is one blocking operation, callable from any thread; the engine runs them on its I/O
 * executor.
 */
public interface VersionHistory {

    /** One page of the kept versions of a record, with payloads (see {@link VersionPage}). */
    List<StoredVersion> versions(String store, String key, VersionPage page);

    /** One kept version with its payload, or empty if it is not kept (never was, pruned, or wiped). */
    Optional<StoredVersion> version(String store, String key, long revision);

    /**
     * Pins or unpins a kept version: a pinned version is never pruned.
     *
     * @return false if the version is not kept
     */
    boolean setPinned(String store, String key, long revision, boolean pinned);

    /**
     * Deletes the unpinned versions of a record beyond the newest {@code keepNewest}, and those older
     * than {@code maxAge} by the store's clock except the newest one. Runs apart from saves and never
     * blocks them for long.
     *
     * @param keepNewest how many of the newest versions count keeps; 0 for no limit by count
     * @param maxAge     how long versions are kept; {@link Duration#ZERO} for no limit by age
     * @return how many were deleted
     */
    int prune(String store, String key, int keepNewest, Duration maxAge);

    /**
     * The rollback: writes {@code payload} as the record's newest version (kept, with {@code cause})
     * and ends any session on it, as one atomic write: the epoch grows by one and the owner is
     * cleared, so the old owner's next write is refused. With {@code clearUpdates}, the record's
     * pending global updates are cleared in the same write. Writes nothing if the record does not
     * exist (never saved, or wiped): an overwrite never brings back a wiped profile.
     *
     * @param userIds the user ids of {@code payload}, which replace the record's in the index of user
     *                ids ({@link BackendAdmin#keysOfUser}) in the same write
     * @return the record after the write, or {@link StoredProfile#ABSENT} if nothing was written
     */
    StoredProfile overwrite(
            String store, String key, byte[] payload, boolean clearUpdates, VersionCause cause, List<Long> userIds);
}
