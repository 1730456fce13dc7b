package dev.profileservice.redis;

import static dev.profileservice.redis.RedisTestSupport.bytes;
import static dev.profileservice.redis.RedisTestSupport.everyByteValue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the shared contract ({@code BackendContractTest}, run by {@link RedisBackendContractTest}
 * and {@link RedisClusterBackendContractTest}) does not look at, because it is about how this
 * store keeps its records:
 * <ul>
 *   <li>the provider behind {@code redis://} gives this backend, with its message bus, described by its URI;</li>
 *   <li>binary safety of the script arguments: every byte value, and an empty update that stays
 *       empty rather than missing;</li>
 *   <li>consumed tokens are forgotten once older than the retention by Redis's clock, at the next
 *       consuming save (the shared contract can only move a service clock);</li>
 *   <li>the key layout: a store's listing finds exactly its record hashes, whatever braces, glob
 *       characters or record suffixes the keys hold and whichever store names share a prefix, and
 *       a quarantine hash alone is not a record.</li>
 * </ul>
 * Scripts losing their cache are in {@link RedisRoundTripTest} and {@link RedisSaveBatchTest};
 * cluster slots in {@link RedisClusterBackendContractTest}.
 */
class RedisBackendSpiTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = bytes("{\"initial\":true}");

    @RegisterExtension
    static final RedisTestBackend REDIS = new RedisTestBackend();

    private final Backend backend = REDIS.backend();
    private final String store = REDIS.newStore("Store_");
    private final Owner a = new Owner("server-a-" + UUID.randomUUID(), "lobby", "job-a");

    @Test
    void opensThroughTheServiceLoaderAndDescribesWithoutPassword() {
        assertThat(backend.getClass().getName()).isEqualTo("dev.profileservice.redis.internal.RedisBackend");
        assertThat(backend.describe()).startsWith("redis").doesNotContain("****@");
        assertThat(backend.messageBus()).isPresent();
    }

    @Test
    void binaryPayloadsAndEmptyArraysRoundTripExactly() {
        byte[] all = everyByteValue(4);
        long epoch = backend.acquire(store, "bin", a, -1, INITIAL).record().epoch();
        backend.sendUpdates(
                store, "bin", List.of(new UpdateOp.Add("t-bin", all), new UpdateOp.Add("t-empty", new byte[0])), 10);
        backend.save(store, "bin", SaveRequest.of(a.serverId(), epoch, all, false));
        StoredProfile r = backend.read(store, "bin");
        assertThat(r.payload()).isEqualTo(all);
        assertThat(r.updates()).extracting(PendingUpdate::data).containsExactly(all, new byte[0]);
        assertThat(r.updateSeq()).isEqualTo(2);

        backend.save(store, "bin", SaveRequest.of(a.serverId(), epoch, new byte[0], false));
        assertThat(backend.read(store, "bin").payload()).isNotNull().isEmpty();
    }

    @Test
    void quarantineWithoutRecordDoesNotCreateOne() {
        backend.quarantine(store, "q", bytes("bad"), "x", 1);
        assertThat(BackendAdmin.of(backend).keys(store, null, 10)).isEmpty();
        assertThat(backend.read(store, "q").isEmpty()).isTrue();
        assertThat(BackendAdmin.of(backend).delete(store, "q")).isFalse();
        assertThat(BackendAdmin.of(backend).quarantineCount(store, "q")).isZero();
    }

    @Test
    void keysAreAscendingPagedAndNeverMixStores() {
        List<String> names = List.of("b", "a", "c}", "{x}", "z*?[", "ü-unicode", "A", "a:b", "a}:p", "zz");
        for (String k : names) {
            backend.sendUpdates(store, k, List.of(new UpdateOp.Add("t", bytes("g"))), 10);
        }
        String otherStore = store + "x";
        backend.sendUpdates(otherStore, "a", List.of(new UpdateOp.Add("t", bytes("g"))), 10);
        backend.sendUpdates(
                store.substring(0, store.length() - 1), "q", List.of(new UpdateOp.Add("t", bytes("g"))), 10);
        backend.quarantine(store, "only-quarantined", bytes("bad"), "x", 1);

        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertThat(BackendAdmin.of(backend).keys(store, null, 100)).containsExactlyElementsOf(sorted);
        assertThat(BackendAdmin.of(backend).keys(store, null, 3)).containsExactlyElementsOf(sorted.subList(0, 3));
        assertThat(BackendAdmin.of(backend).keys(store, sorted.get(2), 3))
                .containsExactlyElementsOf(sorted.subList(3, 6));
        assertThat(BackendAdmin.of(backend).keys(store, sorted.get(sorted.size() - 1), 3))
                .isEmpty();
        assertThat(BackendAdmin.of(backend).keys(store, null, 0)).isEmpty();
        assertThat(BackendAdmin.of(backend).keys(otherStore, null, 10)).containsExactly("a");
        for (String k : names) {
            assertThat(backend.read(store, k).updates())
                    .as(k)
                    .extracting(PendingUpdate::id)
                    .containsExactly(1L);
        }
    }

    @Test
    void consumedTokensOlderThanTheRetentionAreForgottenAtTheNextConsumingSave() {
        long epoch = backend.acquire(store, "old", a, -1, INITIAL).record().epoch();
        long first = backend.sendUpdates(store, "old", List.of(new UpdateOp.Add("t-old", bytes("x"))), 10)
                .addedIds()
                .get(0);
        long second = backend.sendUpdates(store, "old", List.of(new UpdateOp.Add("t-new", bytes("y"))), 10)
                .addedIds()
                .get(0);
        backend.save(
                store,
                "old",
                new SaveRequest(a.serverId(), epoch, bytes("p"), false, List.of(new SaveRequest.Consume(first, 1))));
        // Age t-old past the retention as Redis's clock judges it: its consumed-at stamp goes back two hours.
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(RedisTestSupport.baseUri());
        try (var c = client.connect()) {
            c.sync()
                    .zadd(
                            REDIS.profileKey(store, "old", "c"),
                            System.currentTimeMillis() - Backend.TOKEN_RETENTION.toMillis() * 2,
                            "t-old");
        } finally {
            client.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2));
        }
        assertThat(backend.sendUpdates(store, "old", List.of(new UpdateOp.Add("t-old", bytes("x"))), 10)
                        .addedIds())
                .as("still remembered until a save forgets it")
                .containsExactly(first);
        backend.save(
                store,
                "old",
                new SaveRequest(a.serverId(), epoch, bytes("p"), false, List.of(new SaveRequest.Consume(second, 1))));
        assertThat(backend.sendUpdates(store, "old", List.of(new UpdateOp.Add("t-old", bytes("x"))), 10)
                        .addedIds())
                .as("forgotten: the same token is a new update now")
                .containsExactly(second + 1);
    }
}
