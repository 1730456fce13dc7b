package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.testkit.BackendContractTest;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The testkit's Backend contract on a three-node Redis Cluster (started for this class, see
 * {@link LocalRedisCluster}): every script runs on one slot, listings SCAN every node, pub/sub
 * crosses nodes. Besides the contract: {@code saveBatch} with several items in one slot and many
 * slots at once, and its EVAL fallback after every node lost its scripts.
 */
class RedisClusterBackendContractTest extends BackendContractTest {

    private static final String PREFIX = RedisTestSupport.uniquePrefix();
    private static LocalRedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalRedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Backend openBackend() {
        return Backends.open(cluster.seedUri() + "?cluster=true&prefix=" + PREFIX);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Two keys of this test whose record hashes share a Cluster slot, found by trying names. */
    private List<String> twoKeysInOneSlot() {
        Map<Integer, String> bySlot = new HashMap<>();
        for (int i = 0; ; i++) {
            String k = key("slot" + i);
            int slot = SlotHash.getSlot(utf8(PREFIX + ":{" + store + ":" + k + "}:p"));
            String earlier = bySlot.putIfAbsent(slot, k);
            if (earlier != null) {
                return List.of(earlier, k);
            }
        }
    }

    @Test
    void batchWithSeveralItemsInOneSlotAndManySlots() {
        List<String> same = twoKeysInOneSlot();
        List<String> all = new ArrayList<>(same);
        for (int i = 0; i < 150; i++) { // over maxBatchSize, spread over many slots on all three nodes
            all.add(key("many" + i));
        }
        List<SaveItem> items = new ArrayList<>();
        for (String k : all) {
            backend.acquire(store, k, alice, -1, INITIAL);
            items.add(new SaveItem(store, k, SaveRequest.of(alice.serverId(), 1, utf8("v-" + k), false)));
        }
        Backend thief = open();
        thief.acquire(store, same.get(0), bob, 1, INITIAL); // one of the same-slot pair is lost, its neighbour is not
        thief.acquire(store, all.get(10), bob, 1, INITIAL);
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);
        List<SaveResult> results = backend.saveBatch(items);
        backend.setRoundTripListener(null);
        assertThat(trips).containsExactly("saveBatch");
        assertThat(results).hasSize(all.size());
        for (int i = 0; i < all.size(); i++) {
            boolean lost = i == 0 || i == 10;
            assertThat(results.get(i).status())
                    .as("item " + i)
                    .isEqualTo(lost ? SaveResult.Status.LOST_SESSION : SaveResult.Status.SAVED);
            assertThat(results.get(i).record().owner()).as("item " + i).isEqualTo(lost ? bob : alice);
            byte[] stored = thief.read(store, all.get(i)).payload();
            if (lost) {
                assertThat(stored).as("item " + i).isEqualTo(INITIAL);
            } else {
                assertThat(stored)
                        .as("item " + i)
                        .asString(StandardCharsets.UTF_8)
                        .isEqualTo("v-" + all.get(i));
            }
        }
    }

    /**
     * SCRIPT FLUSH on every node (this cluster is the test's own): each slot's EVALSHA is refused
     * with NOSCRIPT and sent again with EVAL, so the batch costs two round trips and is correct.
     */
    @Test
    void batchFallsBackToEvalAfterEveryNodeLostItsScripts() {
        List<SaveItem> items = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            backend.acquire(store, key("f" + i), alice, -1, INITIAL);
            items.add(new SaveItem(store, key("f" + i), SaveRequest.of(alice.serverId(), 1, utf8("f" + i), i == 7)));
        }
        RedisClusterClient admin = RedisClusterClient.create(RedisURI.create(cluster.seedUri()));
        try (StatefulRedisClusterConnection<String, String> c = admin.connect()) {
            c.sync().scriptFlush(); // Lettuce sends it to every node
        } finally {
            admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);
        List<SaveResult> results = backend.saveBatch(items);
        backend.setRoundTripListener(null);
        if (System.getenv(LocalRedisCluster.ENV) == null) {
            assertThat(trips).as("own cluster: EVALSHA refused, then EVAL").containsExactly("saveBatch", "saveBatch");
        } else { // a shared cluster may have the script back from another client already
            assertThat(trips).containsOnly("saveBatch").hasSizeBetween(1, 2);
        }
        assertThat(results).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        assertThat(backend.read(store, key("f39")).payload())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("f39");
        assertThat(backend.read(store, key("f7")).owner())
                .as("released in the batch")
                .isNull();
        assertThat(backend.read(store, key("f8")).owner()).isEqualTo(alice);
    }
}
