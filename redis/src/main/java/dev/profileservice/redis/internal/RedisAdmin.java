package dev.profileservice.redis.internal;

import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.QuarantinedCopy;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The administrative operations of the Redis store ({@link RedisBackend#admin()}). Forced
 * release, deletion and the quarantine count touch one profile's slot, like the engine's
 * operations; the listings (keys, sessions, servers) SCAN the key space (on a cluster Lettuce
 * scans every node), one round trip per page, and read what they found pipelined.
 *
 * <h2>Threads</h2>
 * Every method blocks the calling thread (for a listing, for every page in turn) and may be called
 * from many threads at once; they share the backend's {@link CommandConnection}.
 */
final class RedisAdmin extends RedisPart implements BackendAdmin {
    RedisAdmin(CommandConnection redis, RedisKeys keys, RedisUserIndex index) {
        super(redis, keys, index);
    }

    /** One script per server row, so each lease is judged by the clock of the node that holds it. */
    @Override
    public List<ServerLease> servers() {
        return redis.call("servers", "listing servers", () -> {
            String start = keys.server("");
            List<ServerLease> out = new ArrayList<>();
            for (String k : redis.scan("servers", keys.serverPattern())) {
                Scripts.lease(k.substring(start.length()), redis.eval(Scripts.SERVER, new String[] {k}))
                        .ifPresent(out::add);
            }
            out.sort(Comparator.comparing(ServerLease::serverId));
            return out;
        });
    }

    @Override
    public int quarantineCount(String store, String key) {
        return redis.call("quarantineCount", store, key, () -> {
            redis.roundTrip("quarantineCount");
            byte[] count = redis.sync().hget(keys.quarantine(store, key), "count");
            return count == null ? 0 : Integer.parseInt(new String(count, StandardCharsets.US_ASCII));
        });
    }

    /** One HGETALL of the key's quarantine hash ({@code count}, then {@code N.payload}, {@code N.reason}, {@code N.at}). */
    @Override
    public List<QuarantinedCopy> quarantined(String store, String key) {
        return redis.call("quarantined", store, key, () -> {
            redis.roundTrip("quarantined");
            Map<String, byte[]> fields = redis.sync().hgetall(keys.quarantine(store, key));
            byte[] count = fields.get("count");
            int n = count == null ? 0 : Integer.parseInt(new String(count, StandardCharsets.US_ASCII));
            List<QuarantinedCopy> out = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                byte[] payload = fields.get(i + ".payload");
                if (payload == null) {
                    continue; // never written whole; nothing to show
                }
                byte[] reason = fields.get(i + ".reason");
                byte[] at = fields.get(i + ".at");
                out.add(new QuarantinedCopy(
                        payload,
                        reason == null ? "" : new String(reason, StandardCharsets.UTF_8),
                        at == null ? 0 : Long.parseLong(new String(at, StandardCharsets.US_ASCII))));
            }
            return out;
        });
    }

    @Override
    public StoredProfile forceRelease(String store, String key) {
        return redis.call("forceRelease", store, key, () -> {
            List<Object> answer = redis.eval(Scripts.FORCE_RELEASE, keys.profile(store, key));
            redis.awaitReplicas("forceRelease", store, key);
            return Scripts.status(answer) == 1 ? Scripts.record(answer, 1) : StoredProfile.ABSENT;
        });
    }

    /** One script on the profile's slot, then, if the record held user ids, {@link RedisUserIndex#removed}. */
    @Override
    public boolean delete(String store, String key) {
        return redis.call("delete", store, key, () -> {
            List<Object> answer = redis.eval(Scripts.DELETE, profileAndQuarantine(store, key));
            index.removed(store, key, (byte[]) answer.get(1));
            redis.awaitReplicas("delete", store, key);
            return Scripts.status(answer) == 1L;
        });
    }

    /**
     * The members of the index set of the store and user id, each checked against its record's
     * {@code uids} (see {@link RedisUserIndex}): two round trips, more when stale entries are
     * cleaned up.
     */
    @Override
    public List<String> keysOfUser(String store, long userId) {
        return redis.call(
                "keysOfUser", "store " + store + ", user id " + userId, () -> index.keysOfUser(store, userId));
    }

    /** A SCAN of every record hash under the prefix, like {@link #keys}; the store is the name up to its first colon. */
    @Override
    public List<String> stores() {
        return redis.call("stores", "every store", () -> {
            TreeSet<String> names = new TreeSet<>();
            for (String redisKey : redis.scan("stores", keys.anyRecordPattern())) {
                String store = keys.storeOfRecord(redisKey);
                if (store != null) {
                    names.add(store);
                }
            }
            return List.copyOf(names);
        });
    }

    @Override
    public List<String> keys(String store, String afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        return redis.call("keys", "store " + store, () -> {
            TreeSet<String> smallest = new TreeSet<>();
            if (limit == 0) {
                return List.<String>of();
            }
            for (String redisKey : redis.scan("keys", keys.recordPattern(store))) {
                String key = keys.keyOfRecord(store, redisKey);
                if (key == null || (afterKey != null && key.compareTo(afterKey) <= 0)) {
                    continue;
                }
                smallest.add(key);
                if (smallest.size() > limit) {
                    smallest.pollLast();
                }
            }
            return List.copyOf(smallest);
        });
    }

    @Override
    public List<SessionInfo> sessions(String store) {
        return redis.call("sessions", "store " + store, () -> {
            List<String> found = redis.scan("sessions", keys.recordPattern(store));
            List<String> profileKeys = new ArrayList<>();
            List<RedisFuture<List<KeyValue<String, byte[]>>>> futures = new ArrayList<>();
            for (String redisKey : found) {
                String key = keys.keyOfRecord(store, redisKey);
                if (key != null) {
                    profileKeys.add(key);
                    futures.add(redis.async().hmget(redisKey, "epoch", "sid", "place", "job"));
                }
            }
            if (!futures.isEmpty()) {
                redis.roundTrip("sessions");
            }
            List<SessionInfo> out = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                List<KeyValue<String, byte[]>> f = redis.await(futures.get(i));
                if (f.get(1).hasValue()) {
                    out.add(new SessionInfo(
                            profileKeys.get(i),
                            Scripts.number(f.get(0).getValueOrElse(null)),
                            new Owner(text(f.get(1)), text(f.get(2)), text(f.get(3)))));
                }
            }
            out.sort(Comparator.comparing(SessionInfo::key));
            return out;
        });
    }

    private static String text(KeyValue<String, byte[]> kv) {
        return Scripts.text(kv.getValueOrElse(null));
    }

    /** Every key of a profile: {@link RedisKeys#profile} (with its kept versions) and the quarantine. */
    private String[] profileAndQuarantine(String store, String key) {
        String[] profile = keys.profile(store, key);
        String[] all = java.util.Arrays.copyOf(profile, profile.length + 1);
        all[profile.length] = keys.quarantine(store, key);
        return all;
    }
}
