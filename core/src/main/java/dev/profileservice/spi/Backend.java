package dev.profileservice.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A store of profile records. Each method is one atomic operation; all are blocking and may be
 * called from many threads at once. The engine runs them on its I/O executor, never on a caller's
 * game thread.
 *
 * <h2>Record model</h2>
 * Records are addressed by {@code (store, key)}: {@code store} matches {@code [A-Za-z0-9_.-]{1,50}},
 * {@code key} is 1 to 200 characters with no control characters (the engine validates both before
 * calling). A record that was never written reads as {@link StoredProfile#ABSENT}. Records of
 * different stores never interact.
 *
 * <h2>Fencing</h2>
 * {@link #acquire} increments the epoch; {@link #save} writes only if epoch and owner still match.
 * The comparison and the write must be one atomic step in the store (a conditional UPDATE, a Lua
 * script), never a read followed by a write from the client.
 *
 * <h2>Failures</h2>
 * Throw {@link BackendException} (transient or not). Never return a partial write.
 *
 * <h2>What a store must offer</h2>
 * The engine needs the abstract methods here: {@link #read}, {@link #acquire}, {@link #save},
 * {@link #sendUpdates}, {@link #readUpdates}, the heartbeat trio ({@link #heartbeat}, {@link #server},
 * {@link #removeServer}) with its {@link #leaseClock}, {@link #quarantine}, {@link #describe} and
 * {@link #close}. The rest has defaults: batching ({@link #saveBatch}), a push channel
 * ({@link #messageBus}), and the administrative operations of {@link BackendAdmin}
 * ({@link #admin}).
 *
 * <h2>Round trips</h2>
 * Report each request to the store through the {@link RoundTripListener} set with
 * {@link #setRoundTripListener}. Targets: {@code read}, {@code acquire} of a free record,
 * {@code save} that consumes no update (with or without release) and {@code readUpdates}: one round
 * trip each; a {@link #saveBatch} of up to {@link #maxBatchSize()} such saves that are all applied:
 * one round trip. {@code sendUpdates} and a save that consumes updates: one where the store can
 * decide inside it (a Lua script), else a few (a SQL transaction), never more for more updates.
 */
public interface Backend extends AutoCloseable {

    /** A short description for messages and logs, e.g. the URI with its password masked. */
    String describe();

    /** Reads one record; {@link StoredProfile#ABSENT} if it does not exist. */
    StoredProfile read(String store, String key);

    /**
     * Takes the session of a record, creating the record if missing.
     *
     * <p>Succeeds when {@code expectedEpoch == -1} and the record has no owner (or does not exist),
     * or when {@code expectedEpoch >= 0} and the record's epoch equals it (whoever owns it: this is
     * the steal). On success the epoch becomes {@code old + 1} and the owner {@code me}; if the
     * record has no payload yet (never loaded: missing, or holding only sent global updates), the
     * same atomic write stores {@code initialPayload}, so a profile exists, with its session, from
     * its first load. An existing payload and the inbox are untouched. On failure nothing changes.
     *
     * @param initialPayload the payload of a profile loaded for the first time (the engine's
     *                       encoding of the template and its metadata); never null
     * @return whether it was taken, and the record after the operation (with its payload)
     */
    AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload);

    /**
     * The fenced write of the owner; see {@link SaveRequest} for the conditions. The updates it
     * consumes leave the inbox in the same atomic write; their add tokens are remembered for
     * {@link #TOKEN_RETENTION}. The answer carries the record's {@code updateSeq}, not its updates
     * (see {@link SaveResult}).
     */
    SaveResult save(String store, String key, SaveRequest request);

    /**
     * Several fenced saves of different records, in as few round trips as the store allows (the
     * target is one for a batch of up to {@link #maxBatchSize()} items).
     *
     * <p>Each item is its own atomic write with exactly the outcome {@link #save} would give it;
     * the batch is not a transaction across items: some may be {@code SAVED} while others are
     * refused, and a refusal of one never holds back another. The engine never puts the same
     * {@code (store, key)} twice in one batch; a backend may reject such a batch with
     * {@link IllegalArgumentException}.
     *
     * <p>If it throws {@link BackendException}, the outcome of every item is unknown (any of them
     * may or may not have been applied), exactly as for a failed {@link #save}; the engine then
     * retries each item on its own terms.
     *
     * <p>Default: {@link #save} for each item in turn (one round trip each).
     *
     * @return one result per item, in the order of {@code items}
     */
    default List<SaveResult> saveBatch(List<SaveItem> items) {
        List<SaveResult> results = new java.util.ArrayList<>(items.size());
        for (SaveItem item : items) {
            results.add(save(item.store(), item.key(), item.request()));
        }
        return results;
    }

    /**
     * The most items the engine puts in one {@link #saveBatch} call. 1 (the default) means the
     * backend has no cheaper batch than single saves, and the engine calls {@link #save} only.
     */
    default int maxBatchSize() {
        return 1;
    }

    /**
     * How long a store remembers the token of a consumed update ({@link UpdateOp.Add}): a sender
     * whose reply was lost retries within seconds, well inside it.
     */
    java.time.Duration TOKEN_RETENTION = java.time.Duration.ofHours(1);

    /**
     * A sender's changes to a profile's Active global updates, applied in one atomic step, all or
     * nothing, creating the record if missing (no owner, epoch 0, no payload). Adds are numbered by
     * the store and never conflict with other senders nor with the owner; a change or a clear
     * conflicts only with writers of that same update. Never touches payload, epoch or owner.
     *
     * @param maxPending the most Active updates the profile may hold once the adds are in: more is
     *                   {@link SendResult.Status#FULL} (tokens seen before do not count again)
     */
    SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending);

    /**
     * The record without its payload: owner, epoch, the Active updates in id order and the update
     * sequence. What an owner reads to check its session and pick up new updates (one round trip).
     */
    StoredProfile readUpdates(String store, String key);

    /**
     * Writes or refreshes a server's heartbeat row (one round trip, an upsert): its lease now runs
     * out at {@code now + lease} by this store's {@link #leaseClock()}, read inside the operation.
     */
    void heartbeat(Owner server, Duration lease);

    /**
     * Reads a server's heartbeat row, empty if it has none (never heartbeated, removed, or
     * forgotten long after it ran out). {@link ServerLease#expiresInMillis()} is computed by the
     * store's {@link #leaseClock()} in the same operation.
     */
    Optional<ServerLease> server(String serverId);

    /** The clock this store judges leases by (see {@link LeaseClock}); the contract tests check it. */
    LeaseClock leaseClock();

    /** Deletes a server's heartbeat row (on clean shutdown). */
    void removeServer(String serverId);

    /**
     * Keeps a copy of bytes that could not be decoded, before the engine replaces them. Must be
     * durable when it returns. Copies are never overwritten: each call adds one.
     */
    void quarantine(String store, String key, byte[] payload, String reason, long atMillis);

    /**
     * The administrative operations of this store (listing keys and sessions, forced release,
     * deletion), which the {@code profiles} tool needs and the engine does not. Empty (the default)
     * when the store offers none; a new store can start without them.
     */
    default Optional<BackendAdmin> admin() {
        return Optional.empty();
    }

    /**
     * The versions this store keeps of each profile (see {@link VersionHistory}): saves whose
     * request says {@link SaveRequest#keepAs()} are kept in the same atomic write. Empty (the
     * default) when the store keeps none; then {@code keepAs} is ignored.
     */
    default Optional<VersionHistory> history() {
        return Optional.empty();
    }

    /**
     * The push channel between servers, if this store has one. Empty means the engine uses only
     * polling (slower hand-over, same safety).
     */
    default Optional<MessageBus> messageBus() {
        return Optional.empty();
    }

    /**
     * How many calls this backend serves at once with benefit: the engine runs at most this many
     * store calls in parallel (its I/O threads). A pooled backend returns its pool size, so threads
     * do not queue for connections; a multiplexed one (Redis) a larger number. Default 64.
     */
    default int maxConcurrentCalls() {
        return 64;
    }

    /** Sets the round-trip counter. Default: ignored (the backend does not count). */
    default void setRoundTripListener(RoundTripListener listener) {}

    /** Closes pools and connections. Idempotent. */
    @Override
    void close();
}
