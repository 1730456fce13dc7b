package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.testkit.LayoutOneUpgradeChecks;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The key layout's number and the in-place upgrades: from layout 1 (the whole inbox as one JSON
 * document in the record's {@code inbox} field) to layout 2 (one hash field set per update), on a
 * store written by hand exactly as the first release wrote it; and from layout 2 to 3 (revisions,
 * kept versions and the index of user ids: new fields and keys only), on a store written as the
 * second release wrote it.
 */
class RedisLayoutUpgradeTest {
    private final String prefix = RedisTestSupport.uniquePrefix();
    private RedisClient client;
    private StatefulRedisConnection<String, String> redis;

    @BeforeEach
    void connect() {
        client = RedisClient.create(RedisURI.create(RedisTestSupport.baseUri()));
        redis = client.connect();
    }

    @AfterEach
    void cleanUp() {
        redis.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        RedisTestSupport.deleteAll(prefix);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String record(String key) {
        return prefix + ":{S:" + key + "}:p";
    }

    @Test
    void aNewStoreIsRecordedAtTheLatestLayout() {
        Backends.open(RedisTestSupport.uri(prefix)).close();
        assertThat(redis.sync().get(prefix + ":layout")).isEqualTo("3");
        assertThat(redis.sync().exists(prefix + ":layout-lock"))
                .as("the lock is given back")
                .isZero();
    }

    @Test
    void upgradesLayoutOneInPlaceOnceAndRefusesANewerLayout() {
        redis.sync().set(prefix + ":layout", "1");
        String gifted = "{\"v\":1,\"locked\":[{\"id\":1,\"data\":{}}],\"data\":{}}";
        redis.sync()
                .hset(
                        record("gifted"),
                        Map.of(
                                "payload",
                                gifted,
                                "epoch",
                                "2",
                                "iv",
                                "3",
                                "inbox",
                                "{\"v\":1,\"next\":4,\"active\":[{\"id\":2,\"data\":{\"coins\":5}},{\"id\":3,\"data\":{\"gem\":\"x\"}}]}"));
        redis.sync()
                .hset(
                        record("locked-above-next"),
                        Map.of(
                                "payload",
                                "{\"locked\":[{\"id\":7,\"data\":{}}]}",
                                "epoch",
                                "1",
                                "iv",
                                "1",
                                "inbox",
                                "{\"v\":1,\"next\":5,\"active\":[]}"));
        redis.sync().hset(record("broken"), Map.of("payload", "p", "epoch", "1", "iv", "1", "inbox", "not json"));
        redis.sync()
                .hset(record("owned"), Map.of("payload", "p", "epoch", "4", "sid", "srv-a", "place", "1", "job", "j"));

        Backend upgraded = Backends.open(RedisTestSupport.uri(prefix));
        try {
            assertThat(redis.sync().get(prefix + ":layout")).isEqualTo("3");
            assertThat(upgraded.read("S", "gifted").epoch()).isEqualTo(2);
            assertThat(redis.sync().hexists(record("gifted"), "inbox"))
                    .as("the layout-1 field is gone")
                    .isFalse();
            assertThat(redis.sync().hexists(record("gifted"), "iv")).isFalse();
            LayoutOneUpgradeChecks.assertInboxesMoved(upgraded, bytes(gifted));
            StoredProfile owned = upgraded.read("S", "owned");
            assertThat(owned.owner().serverId())
                    .as("sessions survive the upgrade")
                    .isEqualTo("srv-a");
            assertThat(owned.updateSeq()).isZero();
        } finally {
            upgraded.close();
        }

        try (Backend again = Backends.open(RedisTestSupport.uri(prefix))) {
            LayoutOneUpgradeChecks.assertSecondStartChangesNothing(again);
        }

        redis.sync().set(prefix + ":layout", "4");
        LayoutOneUpgradeChecks.assertNewerLayoutRefused(() -> Backends.open(RedisTestSupport.uri(prefix)), 4, 3);
    }

    @Test
    void anUpgradeInterruptedPartWayResumesWithoutLosingOrDuplicatingUpdates() {
        redis.sync().set(prefix + ":layout", "1");
        redis.sync().hset(record("done"), Map.of("payload", "p", "epoch", "1", "seq", "2"));
        redis.sync().hset(prefix + ":{S:done}:u", Map.of("2.v", "1", "2.d", "{}", "2.t", "legacy-2"));
        redis.sync().hset(prefix + ":{S:done}:t", "legacy-2", "2");
        redis.sync()
                .hset(
                        record("todo"),
                        Map.of(
                                "payload",
                                "p",
                                "epoch",
                                "1",
                                "iv",
                                "1",
                                "inbox",
                                "{\"next\":2,\"active\":[{\"id\":1,\"data\":{\"a\":1}}]}"));

        try (Backend upgraded = Backends.open(RedisTestSupport.uri(prefix))) {
            assertThat(upgraded.read("S", "done").updates())
                    .extracting(PendingUpdate::id)
                    .containsExactly(2L);
            assertThat(upgraded.read("S", "todo").updates())
                    .extracting(PendingUpdate::id)
                    .containsExactly(1L);
        }
        assertThat(redis.sync().get(prefix + ":layout")).isEqualTo("3");
    }

    @Test
    void layoutTwoWithDataIsRecordedAtThreeKeepsEveryRecordAndThenKeepsVersionsAndUserIds() {
        redis.sync().set(prefix + ":layout", "2");
        // as the second release wrote them: no rev, no uids, no :h or :v
        redis.sync().hset(record("gifted"), Map.of("payload", "pg", "epoch", "3", "seq", "2"));
        redis.sync()
                .hset(
                        prefix + ":{S:gifted}:u",
                        Map.of(
                                "1.v",
                                "1",
                                "1.d",
                                "{\"a\":1}",
                                "1.t",
                                "tok-1",
                                "2.v",
                                "2",
                                "2.d",
                                "{\"b\":2}",
                                "2.t",
                                "tok-2"));
        redis.sync().hset(prefix + ":{S:gifted}:t", Map.of("tok-1", "1", "tok-2", "2"));
        redis.sync()
                .hset(record("owned"), Map.of("payload", "po", "epoch", "4", "sid", "srv-a", "place", "1", "job", "j"));

        try (Backend upgraded = Backends.open(RedisTestSupport.uri(prefix))) {
            assertThat(redis.sync().get(prefix + ":layout")).isEqualTo("3");
            StoredProfile gifted = upgraded.read("S", "gifted");
            assertThat(gifted.payload()).isEqualTo(bytes("pg"));
            assertThat(gifted.epoch()).isEqualTo(3);
            assertThat(gifted.revision()).as("no revision counted yet").isZero();
            assertThat(gifted.updateSeq()).isEqualTo(2);
            assertThat(gifted.updates())
                    .extracting(PendingUpdate::id, PendingUpdate::version)
                    .containsExactly(tuple(1L, 1L), tuple(2L, 2L));
            StoredProfile owned = upgraded.read("S", "owned");
            assertThat(owned.payload()).isEqualTo(bytes("po"));
            assertThat(owned.owner().serverId()).as("sessions survive").isEqualTo("srv-a");
            assertThat(BackendAdmin.of(upgraded).keys("S", null, 10)).containsExactly("gifted", "owned");
            assertThat(upgraded.sendUpdates("S", "gifted", List.of(new UpdateOp.Add("tok-2", bytes("{}"))), 100)
                            .addedIds())
                    .as("tokens are still remembered")
                    .containsExactly(2L);

            Owner b = new Owner("srv-b", "1", "j");
            assertThat(upgraded.acquire("S", "gifted", b, -1, bytes("template")).acquired())
                    .isTrue();
            SaveResult saved = upgraded.save(
                    "S",
                    "gifted",
                    new SaveRequest(
                            "srv-b",
                            4,
                            bytes("pg2"),
                            false,
                            List.of(new SaveRequest.Consume(1, 1)),
                            VersionCause.SAVE,
                            List.of(42L, 43L)));
            assertThat(saved.status()).isEqualTo(SaveResult.Status.SAVED);
            assertThat(saved.record().revision()).isEqualTo(1);
            VersionHistory history = upgraded.history().orElseThrow();
            assertThat(history.version("S", "gifted", 1).orElseThrow().payload())
                    .isEqualTo(bytes("pg2"));
            assertThat(BackendAdmin.of(upgraded).keysOfUser("S", 42L)).containsExactly("gifted");
            assertThat(BackendAdmin.of(upgraded).keysOfUser("S", 43L)).containsExactly("gifted");
            assertThat(upgraded.read("S", "gifted").updates())
                    .extracting(PendingUpdate::id)
                    .containsExactly(2L);
        }
        try (Backend again = Backends.open(RedisTestSupport.uri(prefix))) {
            assertThat(redis.sync().get(prefix + ":layout")).isEqualTo("3");
            assertThat(again.read("S", "gifted").payload()).isEqualTo(bytes("pg2"));
        }
    }
}
