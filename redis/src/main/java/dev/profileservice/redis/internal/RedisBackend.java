package dev.profileservice.redis.internal;

import static dev.profileservice.redis.internal.Scripts.ascii;
import static dev.profileservice.redis.internal.Scripts.utf8;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.RoundTripListener;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import dev.profileservice.spi.VersionHistory;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis {@link Backend}: one record per profile in a hash, every atomic operation one Lua script
 * (EVALSHA, falling back to EVAL when the server lost its script cache) or one plain command, all
 * on keys hash-tagged {@code {store:key}} so each touches one Cluster slot. See {@link RedisKeys}
 * for the layout and {@link Scripts} and {@link HistoryScripts} for the scripts.
 *
 * <p>This class holds the engine's operations; the others are apart: opening and connecting in
 * {@link RedisConnector}, batches in {@link RedisSaveBatch}, the administrative operations in
 * {@link RedisAdmin}, the version history's reads, pruning and overwrite in {@link RedisHistory}, and what every call goes through (error mapping, round trips, EVALSHA) in
 * {@link CommandConnection}.
 *
 * <h2>Threads</h2>
 * Every method blocks the calling thread for at most the command timeout (per round trip) and may
 * be called from many threads at once: they share one multiplexed Lettuce connection. Pub/sub
 * messages arrive on Lettuce's I/O threads and are handed to the bus's own delivery thread.
 */
public final class RedisBackend implements Backend {

    /** Heartbeat hashes of servers that stopped without removing them vanish after this. */
    static final Duration SERVER_GC_TTL = Duration.ofDays(7);

    private final CommandConnection redis;
    private final RedisMessageBus bus;
    private final RedisKeys keys;
    private final RedisSaveBatch batches;
    private final RedisAdmin admin;
    private final RedisHistory history;
    private final RedisUserIndex index;
    private final AutoCloseable owned;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A backend on an open connection that {@link RedisConnector} has checked; {@code owned} is closed with it (may be null). */
    RedisBackend(CommandConnection redis, RedisMessageBus bus, RedisKeys keys, AutoCloseable owned) {
        this.redis = redis;
        this.bus = bus;
        this.keys = keys;
        RedisUserIndex index = new RedisUserIndex(redis, keys);
        this.index = index;
        this.batches = new RedisSaveBatch(redis, keys, index);
        this.admin = new RedisAdmin(redis, keys, index);
        this.history = new RedisHistory(redis, keys, index);
        this.owned = owned;
    }

    @Override
    public String describe() {
        return redis.description();
    }

    /** The built-in stores offer every administrative operation. */
    @Override
    public Optional<BackendAdmin> admin() {
        return Optional.of(admin);
    }

    /** The kept versions of each profile: see {@link RedisHistory}; saves keep theirs in their own script. */
    @Override
    public Optional<VersionHistory> history() {
        return Optional.of(history);
    }

    // ---------------------------------------------------------------- records

    @Override
    public StoredProfile read(String store, String key) {
        return redis.call(
                "read", store, key, () -> Scripts.record(redis.eval(Scripts.READ, keys.profile(store, key)), 1));
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        if (expectedEpoch < -1) {
            throw new IllegalArgumentException("expectedEpoch must be -1 or >= 0, was " + expectedEpoch);
        }
        return redis.call("acquire", store, key, () -> {
            List<Object> r = redis.eval(
                    Scripts.ACQUIRE,
                    keys.profile(store, key),
                    ascii(expectedEpoch),
                    utf8(me.serverId()),
                    utf8(me.placeId()),
                    utf8(me.jobId()),
                    initialPayload);
            AcquireResult result = new AcquireResult(Scripts.status(r) == 1, Scripts.record(r, 1));
            if (result.acquired()) {
                // a session a failover forgot would leave the old owner's session current in the promoted replica
                redis.awaitReplicas("acquire", store, key);
            }
            return result;
        });
    }

    /**
     * One script; a save that carries user ids and is applied is followed by the index step of
     * {@link RedisUserIndex#written} (one more round trip).
     */
    @Override
    public SaveResult save(String store, String key, SaveRequest w) {
        return redis.call("save", store, key, () -> {
            byte[][] args = new byte[Scripts.SAVE_ARGS][];
            Scripts.saveArgs(w, args, 0);
            List<Object> answer = redis.eval(Scripts.SAVE, keys.profile(store, key), args);
            SaveResult result = Scripts.saveResult(w, answer, 0);
            if (w.userIds() != null && result.status() == SaveResult.Status.SAVED) {
                index.written(List.of(new RedisUserIndex.Change(
                        store, key, result.record().revision(), Scripts.previousUserIds(answer, 0), w.userIds())));
            }
            if (result.status() == SaveResult.Status.SAVED) {
                redis.awaitReplicas("save", store, key);
            }
            return result;
        });
    }

    /** See {@link RedisSaveBatch}: one script per slot and per {@link RedisSaveBatch#MAX_BATCH_SIZE} items, pipelined. */
    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        return batches.save(items);
    }

    @Override
    public int maxBatchSize() {
        return RedisSaveBatch.MAX_BATCH_SIZE;
    }

    /** One script: the checks and writes of {@link dev.profileservice.spi.SendPlan}'s rules, inside Redis. */
    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        Objects.requireNonNull(ops, "ops");
        return redis.call("sendUpdates", store, key, () -> {
            SendResult result = Scripts.sendResult(
                    redis.eval(Scripts.SEND, keys.profile(store, key), Scripts.sendArgs(ops, maxPending)));
            if (result.status() == SendResult.Status.APPLIED) {
                redis.awaitReplicas("sendUpdates", store, key);
            }
            return result;
        });
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        return redis.call(
                "readUpdates",
                store,
                key,
                () -> Scripts.record(redis.eval(Scripts.READ_UPDATES, keys.profile(store, key)), 1));
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        Objects.requireNonNull(payload, "payload");
        redis.call(
                "quarantine",
                store,
                key,
                () -> redis.eval(
                        Scripts.QUARANTINE,
                        ScriptOutputType.INTEGER,
                        new String[] {keys.quarantine(store, key)},
                        payload,
                        utf8(reason == null ? "" : reason),
                        ascii(atMillis)));
    }

    // ---------------------------------------------------------------- servers

    @Override
    public void heartbeat(Owner me, Duration lease) {
        redis.call(
                "heartbeat",
                "server " + me.serverId(),
                () -> redis.eval(
                        Scripts.HEARTBEAT,
                        ScriptOutputType.INTEGER,
                        new String[] {keys.server(me.serverId())},
                        utf8(me.serverId()),
                        utf8(me.placeId()),
                        utf8(me.jobId()),
                        ascii(lease.toMillis()),
                        ascii(SERVER_GC_TTL.toMillis())));
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        return redis.call(
                "server",
                "server " + serverId,
                () -> Scripts.lease(serverId, redis.eval(Scripts.SERVER, new String[] {keys.server(serverId)})));
    }

    /** Redis's own {@code TIME}, read inside the scripts. */
    @Override
    public LeaseClock leaseClock() {
        return LeaseClock.STORE;
    }

    @Override
    public void removeServer(String serverId) {
        redis.call("removeServer", "server " + serverId, () -> {
            redis.roundTrip("removeServer");
            return redis.sync().del(keys.server(serverId));
        });
    }

    // ---------------------------------------------------------------- bus, hooks, lifecycle

    @Override
    public Optional<MessageBus> messageBus() {
        return Optional.of(bus);
    }

    @Override
    public void setRoundTripListener(RoundTripListener listener) {
        redis.setRoundTripListener(listener);
    }

    /** The key layout (tests and tools). */
    public String keyPrefix() {
        return keys.prefix();
    }

    /** The command timeout: the longest one round trip may take before it fails. */
    public Duration commandTimeout() {
        return redis.timeout();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        redis.markClosed();
        closeQuietly(bus);
        closeQuietly(redis);
        closeQuietly(owned);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing useful to do with it
        }
    }
}
