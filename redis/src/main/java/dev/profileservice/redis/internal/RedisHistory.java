package dev.profileservice.redis.internal;

import static dev.profileservice.redis.internal.Scripts.ascii;
import static dev.profileservice.redis.internal.Scripts.utf8;

import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.spi.VersionPage;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The version history of the Redis store ({@link RedisBackend#history()}): per profile, the kept
 * revisions in the sorted set {@code :h} and each version's payload, time, cause, pin and writer
 * in the hash {@code :v} ({@link RedisKeys}), both in the profile's hash tag. Saves keep their
 * versions inside their own script ({@link Scripts#SAVE}, {@link Scripts#SAVE_BATCH}); here are the
 * reads, pinning, pruning and the overwrite, each one script of {@link HistoryScripts} on the
 * profile's slot (one round trip; an overwrite that carries user ids is followed by their index
 * step, {@link RedisUserIndex}), with times by the Redis server's {@code TIME}, the clock leases
 * are judged by.
 *
 * <h2>Threads</h2>
 * Every method blocks the calling thread for one round trip and may be called from many threads at
 * once; they share the backend's {@link CommandConnection}.
 */
final class RedisHistory extends RedisPart implements VersionHistory {
    RedisHistory(CommandConnection redis, RedisKeys keys, RedisUserIndex index) {
        super(redis, keys, index);
    }

    /** The keys {@code :h} and {@code :v} of a profile. */
    private String[] historyKeys(String store, String key) {
        String[] profile = keys.profile(store, key);
        return new String[] {profile[4], profile[5]};
    }

    /** The key {@code :v} of a profile. */
    private String[] versionKey(String store, String key) {
        return new String[] {keys.profile(store, key)[5]};
    }

    /** {@code script} on the profile's slot as operation {@code operation}: the number it answers (0 for none). */
    private long count(String operation, String store, String key, Script script, String[] scriptKeys, byte[]... args) {
        return redis.call(operation, store, key, () -> {
            Long answer = redis.eval(script, ScriptOutputType.INTEGER, scriptKeys, args);
            return answer == null ? 0L : answer;
        });
    }

    @Override
    public List<StoredVersion> versions(String store, String key, VersionPage page) {
        return redis.call(
                "versions",
                store,
                key,
                () -> HistoryScripts.versions(redis.eval(
                        HistoryScripts.VERSIONS,
                        historyKeys(store, key),
                        ascii(page.descending() ? 1 : 0),
                        ascii(page.minMillis()),
                        ascii(page.maxMillis()),
                        ascii(page.afterRevision() < 0 ? -1 : page.afterRevision()),
                        ascii(page.limit()))));
    }

    @Override
    public Optional<StoredVersion> version(String store, String key, long revision) {
        if (revision < 0) {
            return Optional.empty(); // no revision is negative; nothing to ask
        }
        return redis.call("version", store, key, () -> {
            List<StoredVersion> found = HistoryScripts.versions(
                    redis.eval(HistoryScripts.VERSION, versionKey(store, key), ascii(revision)));
            return found.stream().findFirst();
        });
    }

    @Override
    public boolean setPinned(String store, String key, long revision, boolean pinned) {
        if (revision < 0) {
            return false;
        }
        long kept = count(
                "setPinned",
                store,
                key,
                HistoryScripts.SET_PINNED,
                versionKey(store, key),
                ascii(revision),
                ascii(pinned ? 1 : 0));
        return kept == 1L;
    }

    @Override
    public int prune(String store, String key, int keepNewest, Duration maxAge) {
        Objects.requireNonNull(maxAge, "maxAge");
        if (keepNewest < 0 || maxAge.isNegative()) {
            throw new IllegalArgumentException(
                    "keepNewest and maxAge must not be negative, were " + keepNewest + " and " + maxAge);
        }
        // below a millisecond still limits by age (Redis TIME is read in milliseconds here)
        long maxAgeMillis = maxAge.isZero() ? 0 : Math.max(1, maxAge.toMillis());
        return (int) count(
                "prune",
                store,
                key,
                HistoryScripts.PRUNE,
                historyKeys(store, key),
                ascii(keepNewest),
                ascii(maxAgeMillis));
    }

    @Override
    public StoredProfile overwrite(
            String store, String key, byte[] payload, boolean clearUpdates, VersionCause cause, List<Long> userIds) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(cause, "cause");
        return redis.call("overwrite", store, key, () -> {
            List<Object> answer = redis.eval(
                    HistoryScripts.OVERWRITE,
                    keys.profile(store, key),
                    payload,
                    ascii(clearUpdates ? 1 : 0),
                    utf8(cause.label()),
                    userIds == null ? new byte[0] : utf8(RedisUserIndex.json(userIds)));
            if (Scripts.status(answer) != 1) {
                return StoredProfile.ABSENT;
            }
            StoredProfile after = Scripts.record(answer, 2);
            if (userIds != null) {
                index.written(List.of(
                        new RedisUserIndex.Change(store, key, after.revision(), (byte[]) answer.get(1), userIds)));
            }
            redis.awaitReplicas("overwrite", store, key);
            return after;
        });
    }
}
