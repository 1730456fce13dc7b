package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.testkit.LayoutOneUpgradeChecks;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The key layout's number and the in-place upgrade from layout 1 (the whole inbox as one JSON
 * document in the record's {@code inbox} field) to layout 2 (one hash field set per update), on a
 * store written by hand exactly as the first release wrote it.
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
        assertThat(redis.sync().get(prefix + ":layout")).isEqualTo("2");
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
            assertThat(redis.sync().get(prefix + ":layout")).isEqualTo("2");
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

        redis.sync().set(prefix + ":layout", "3");
        LayoutOneUpgradeChecks.assertNewerLayoutRefused(() -> Backends.open(RedisTestSupport.uri(prefix)), 3, 2);
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
        assertThat(redis.sync().get(prefix + ":layout")).isEqualTo("2");
    }
}
