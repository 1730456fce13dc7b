package dev.profileservice.redis.internal;

import static dev.profileservice.redis.internal.Scripts.ascii;
import static dev.profileservice.redis.internal.Scripts.utf8;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The index of user ids ({@link dev.profileservice.spi.BackendAdmin#keysOfUser}) on Redis, in two
 * parts ({@link RedisKeys}):
 *
 * <ol>
 *   <li>the source of truth, the record's own field {@code uids} (a JSON array), written by the
 *       same script as the save, batch item or overwrite that carries the ids, so it is exactly as
 *       atomic as the write; and
 *   <li>the lookup, one sorted set {@code PREFIX:uid:{STORE:ID}} per store and user id holding the
 *       keys of the profiles that hold it, each scored by the revision that added it. A script may
 *       only touch one Cluster slot and these sets lie in other slots than the profile's, so they
 *       are updated right after the write was applied ({@link #written}): one more round trip, but
 *       only for a write that carried ids, which the engine sends only when they change (and once
 *       per session of a profile loaded with ids). The save script answers the previous ids, so
 *       the same step removes the entries of ids the profile no longer holds.
 * </ol>
 *
 * One code path for standalone Redis and Cluster alike: on a single server the index could be
 * written inside the save script, but the save scripts would then differ between the two (the
 * Cluster ones could not name the index keys), and it is the rare write that pays the extra round
 * trip.
 *
 * <p><b>Why the lookup can always be trusted.</b> {@link #keysOfUser} checks every key the set
 * names against that record's {@code uids} and drops the stale ones (a crash between the two
 * steps, a profile deleted meanwhile); so an extra entry never returns a wrong key. Removing a
 * stale entry is followed by a second read of the record, and the entry is added back if the
 * record holds the id by then, so a removal never races away the entry of a concurrent save. The
 * revision scores make the index steps of two writes of one profile commute (a removal only takes
 * out an entry added by an earlier revision, {@link HistoryScripts#INDEX}). An entry can thus be missing
 * only if a process died between a write and its index step (or the index step failed, which
 * fails the call, so the engine retries the save with its ids); the engine sends the ids again
 * with the first save of the profile's next session, which adds it back.
 *
 * <h2>Threads</h2>
 * Stateless apart from its connection; every method blocks the calling thread (one round trip per
 * pipelined wave) and may be called from many threads at once.
 */
final class RedisUserIndex {
    private final CommandConnection redis;
    private final RedisKeys keys;

    RedisUserIndex(CommandConnection redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * An applied write that carried user ids.
     *
     * @param revision the record's revision after the write
     * @param previous the record's {@code uids} before the write as the script answered them, or null
     * @param now      the ids after the write
     */
    record Change(String store, String key, long revision, byte[] previous, List<Long> now) {}

    /**
     * Brings the lookup sets in line with applied writes: each write's key leaves the sets of the
     * ids it no longer holds and enters (or stays in) those of the ids it holds. One pipelined round
     * trip ({@code userIndex}), none without changes.
     */
    void written(List<Change> changes) {
        List<String[]> scriptKeys = new ArrayList<>();
        List<byte[][]> scriptArgs = new ArrayList<>();
        for (Change c : changes) {
            Set<Long> now = new LinkedHashSet<>(c.now());
            for (long id : parse(c.previous())) {
                if (!now.contains(id)) {
                    scriptKeys.add(new String[] {keys.userIndex(c.store(), id)});
                    scriptArgs.add(new byte[][] {utf8(c.key()), ascii(c.revision()), utf8("-")});
                }
            }
            for (long id : now) {
                scriptKeys.add(new String[] {keys.userIndex(c.store(), id)});
                scriptArgs.add(new byte[][] {utf8(c.key()), ascii(c.revision()), utf8("+")});
            }
        }
        if (!scriptKeys.isEmpty()) {
            redis.evalPipelined(HistoryScripts.INDEX, scriptKeys, scriptArgs);
        }
    }

    /**
     * After a profile was deleted: takes its key out of the sets of the ids it held
     * ({@code previous}, as the delete script answered them), then reads the record again and puts
     * back the entries of a record created meanwhile under the same key that holds them. Two round
     * trips (three if something is put back), none if it held no ids.
     */
    void removed(String store, String key, byte[] previous) {
        List<Long> ids = parse(previous);
        if (ids.isEmpty()) {
            return;
        }
        redis.roundTrip("userIndex");
        List<RedisFuture<Long>> removals = new ArrayList<>();
        for (long id : ids) {
            removals.add(redis.async().zrem(keys.userIndex(store, id), utf8(key)));
        }
        long deadline = System.nanoTime() + redis.timeout().toNanos();
        for (RedisFuture<Long> f : removals) {
            redis.await(f, deadline);
        }
        redis.roundTrip("userIndex");
        List<KeyValue<String, byte[]>> f = redis.sync().hmget(keys.record(store, key), "uids", "rev");
        List<Long> heldNow = new ArrayList<>(parse(f.get(0).getValueOrElse(null)));
        heldNow.retainAll(ids);
        if (!heldNow.isEmpty()) {
            written(List.of(new Change(store, key, Scripts.number(f.get(1).getValueOrElse(null)), null, heldNow)));
        }
    }

    /**
     * The keys of {@code store} whose record holds {@code userId}, ascending: the set's members,
     * each checked against its record's {@code uids}. Members that fail the check are removed and
     * checked once more (see the class comment). Two round trips; two or three more when stale
     * entries are cleaned up (the removal, the second read, and putting back any that hold it now).
     */
    List<String> keysOfUser(String store, long userId) {
        String index = keys.userIndex(store, userId);
        redis.roundTrip("keysOfUser");
        List<String> candidates = new ArrayList<>();
        for (byte[] member : redis.sync().zrange(index, 0, -1)) {
            candidates.add(new String(member, StandardCharsets.UTF_8));
        }
        List<Change> holding = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        check(store, candidates, userId, holding, stale);
        if (!stale.isEmpty()) {
            redis.roundTrip("keysOfUser");
            redis.sync().zrem(index, stale.stream().map(Scripts::utf8).toArray(byte[][]::new));
            List<Change> back = new ArrayList<>();
            check(store, stale, userId, back, new ArrayList<>());
            written(back);
            holding.addAll(back);
        }
        TreeSet<String> found = new TreeSet<>();
        holding.forEach(c -> found.add(c.key()));
        return List.copyOf(found);
    }

    /**
     * Reads the {@code uids} and revision of each record (one pipelined round trip, none for no
     * keys) and sorts the keys into those holding {@code userId} (as changes that add it at the
     * record's revision, to put back) and the others.
     */
    private void check(String store, List<String> profileKeys, long userId, List<Change> holding, List<String> others) {
        if (profileKeys.isEmpty()) {
            return;
        }
        redis.roundTrip("userIndex");
        List<RedisFuture<List<KeyValue<String, byte[]>>>> reads = new ArrayList<>();
        for (String key : profileKeys) {
            reads.add(redis.async().hmget(keys.record(store, key), "uids", "rev"));
        }
        long deadline = System.nanoTime() + redis.timeout().toNanos();
        for (int i = 0; i < reads.size(); i++) {
            List<KeyValue<String, byte[]>> f = redis.await(reads.get(i), deadline);
            if (parse(f.get(0).getValueOrElse(null)).contains(userId)) {
                holding.add(new Change(
                        store,
                        profileKeys.get(i),
                        Scripts.number(f.get(1).getValueOrElse(null)),
                        null,
                        List.of(userId)));
            } else {
                others.add(profileKeys.get(i));
            }
        }
    }

    /** User ids as the record stores them: a JSON array ({@link #json}). */
    static String json(List<Long> userIds) {
        return userIds.toString().replace(" ", "");
    }

    /** The ids of a stored {@code uids} field ({@code [1001,2002]}); empty for null or {@code []}. */
    static List<Long> parse(byte[] uids) {
        if (uids == null) {
            return List.of();
        }
        String s = new String(uids, StandardCharsets.US_ASCII).trim();
        if (s.startsWith("[")) {
            s = s.substring(1);
        }
        if (s.endsWith("]")) {
            s = s.substring(0, s.length() - 1);
        }
        List<Long> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(Long.parseLong(part.trim()));
            }
        }
        return out;
    }
}
