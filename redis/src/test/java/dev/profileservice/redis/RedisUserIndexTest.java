package dev.profileservice.redis;

import static dev.profileservice.redis.RedisTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.RoundTripListener;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the shared contract ({@code userIdIndexFollowsSavesOverwriteAndDelete}) does not look at,
 * because it is about how this store keeps the index of user ids in two parts (the record's
 * {@code uids}, and the sets {@code PREFIX:uid:{STORE:ID}} written one step later): stale entries
 * are never answered and are cleaned up, a lost entry comes back with the ids sent again, ids
 * beyond 2^53 survive, batches index their items, and only writes that carry ids cost a round trip
 * more.
 */
class RedisUserIndexTest {
    private static final byte[] INITIAL = bytes("{}");

    @RegisterExtension
    static final RedisTestBackend REDIS = new RedisTestBackend();

    private final Backend backend = REDIS.backend();
    private final StatefulRedisConnection<String, String> raw = REDIS.raw();
    private final String store = REDIS.newStore("ui");
    private final Owner a = new Owner("server-a-" + UUID.randomUUID(), "lobby", "job-a");

    private BackendAdmin admin() {
        return BackendAdmin.of(backend);
    }

    private String index(long userId) {
        return REDIS.prefix() + ":uid:{" + store + ":" + userId + "}";
    }

    private SaveResult saveIds(String key, long epoch, List<Long> ids) {
        return backend.save(store, key, new SaveRequest(a.serverId(), epoch, bytes(key), false, List.of(), null, ids));
    }

    @Test
    void theRecordKeepsItsIdsAndTheSetsNameItsKey() {
        backend.acquire(store, "k", a, -1, INITIAL);
        saveIds("k", 1, List.of(Long.MAX_VALUE, 5L));
        assertThat(raw.sync().hget(REDIS.profileKey(store, "k", "p"), "uids"))
                .as("ids beyond 2^53 kept as text")
                .isEqualTo("[" + Long.MAX_VALUE + ",5]");
        assertThat(raw.sync().zrange(index(Long.MAX_VALUE), 0, -1)).containsExactly("k");
        assertThat(admin().keysOfUser(store, Long.MAX_VALUE)).containsExactly("k");

        saveIds("k", 1, List.of());
        assertThat(raw.sync().hexists(REDIS.profileKey(store, "k", "p"), "uids"))
                .isFalse();
        assertThat(raw.sync().exists(index(Long.MAX_VALUE), index(5)))
                .as("emptied sets vanish")
                .isZero();
    }

    @Test
    void staleEntriesAreNeverAnsweredAndAreRemoved() {
        backend.acquire(store, "held", a, -1, INITIAL);
        backend.acquire(store, "other", a, -1, INITIAL);
        saveIds("held", 1, List.of(77L));
        saveIds("other", 1, List.of(78L));
        // as a crash between a write and its index step, or a delete cut short, would leave them
        raw.sync().zadd(index(77), 1, "other");
        raw.sync().zadd(index(77), 1, "gone");

        assertThat(admin().keysOfUser(store, 77)).containsExactly("held");
        assertThat(raw.sync().zrange(index(77), 0, -1)).as("cleaned up").containsExactly("held");
    }

    @Test
    void aLostEntryComesBackWhenTheIdsAreSentAgain() {
        backend.acquire(store, "k", a, -1, INITIAL);
        saveIds("k", 1, List.of(90L));
        raw.sync().del(index(90)); // as if the process died before the index step
        assertThat(admin().keysOfUser(store, 90)).isEmpty();

        saveIds("k", 1, List.of(90L)); // the engine sends the ids with a session's first save
        assertThat(admin().keysOfUser(store, 90)).containsExactly("k");
    }

    @Test
    void anEntryAddedByANewerRevisionOutlivesAnOlderRemoval() {
        backend.acquire(store, "k", a, -1, INITIAL);
        saveIds("k", 1, List.of(60L));
        // a newer write's index step already ran (score above the next save's revision)...
        raw.sync().zadd(index(60), 100, "k");
        raw.sync().hset(REDIS.profileKey(store, "k", "p"), "rev", "99");
        // ...when this older one, which removes 60, arrives: its revision is 100, not above the entry's
        saveIds("k", 1, List.of(61L));
        assertThat(raw.sync().zscore(index(60), "k")).isEqualTo(100.0);
        assertThat(admin().keysOfUser(store, 60))
                .as("checked against uids all the same")
                .isEmpty();
    }

    @Test
    void aBatchIndexesTheItemsThatCarryIdsAndOnlyThoseCostARoundTripMore() {
        for (String k : List.of("b1", "b2", "b3")) {
            backend.acquire(store, k, a, -1, INITIAL);
        }
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);
        try {
            backend.saveBatch(List.of(
                    new SaveItem(store, "b1", SaveRequest.of(a.serverId(), 1, bytes("1"), false)),
                    new SaveItem(store, "b2", SaveRequest.of(a.serverId(), 1, bytes("2"), false))));
            assertThat(trips).as("no ids, no index step").containsExactly("saveBatch");
            trips.clear();
            List<SaveResult> results = backend.saveBatch(List.of(
                    new SaveItem(
                            store,
                            "b1",
                            new SaveRequest(a.serverId(), 1, bytes("1"), false, List.of(), null, List.of(40L))),
                    new SaveItem(store, "b2", SaveRequest.of(a.serverId(), 1, bytes("2"), false)),
                    new SaveItem(
                            store,
                            "b3",
                            new SaveRequest(a.serverId(), 9, bytes("3"), false, List.of(), null, List.of(40L)))));
            assertThat(results)
                    .extracting(SaveResult::status)
                    .containsExactly(SaveResult.Status.SAVED, SaveResult.Status.SAVED, SaveResult.Status.LOST_SESSION);
            assertThat(trips).containsExactly("saveBatch", "userIndex");
        } finally {
            backend.setRoundTripListener(RoundTripListener.NONE);
        }
        assertThat(admin().keysOfUser(store, 40))
                .as("a refused item indexes nothing")
                .containsExactly("b1");
    }
}
