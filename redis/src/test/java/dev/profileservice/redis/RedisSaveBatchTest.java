package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.UpdateOp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Redis specifics of {@code saveBatch} on a single server, beyond the testkit's contract: batches
 * longer than {@code maxBatchSize} or heavier than one script's byte budget are still one round
 * trip and correct; the EVAL fallback after a lost script cache; bad input and store errors.
 */
class RedisSaveBatchTest extends CountedBackendTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** Acquires {@code n} records {@code S/<name>0..} and returns one plain save of each, payload from {@code payload}. */
    private List<SaveItem> acquired(String name, int n, java.util.function.IntFunction<byte[]> payload) {
        List<SaveItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            assertThat(backend.acquire("S", name + i, me, -1, INITIAL).acquired())
                    .isTrue();
            items.add(new SaveItem("S", name + i, SaveRequest.of(me.serverId(), 1, payload.apply(i), false)));
        }
        return items;
    }

    /** Runs {@code body} with a plain Lettuce connection to the test server. */
    private static void raw(Consumer<StatefulRedisConnection<String, String>> body) {
        RedisClient client = RedisClient.create(RedisURI.create(RedisTestSupport.baseUri()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            body.accept(c);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void maxBatchSizeIs64() {
        assertThat(backend.maxBatchSize()).isEqualTo(64);
    }

    @Test
    void aBatchLongerThanMaxBatchSizeIsSplitButStillOneRoundTripAndCorrect() {
        int n = backend.maxBatchSize() * 2 + 17;
        List<SaveItem> items = acquired("long", n, i -> bytes("v" + i));
        backend.sendUpdates("S", "long100", List.of(new UpdateOp.Add("t", bytes("gift"))), 10);
        List<SaveResult> results = new ArrayList<>();
        assertThat(tripsOf(() -> results.addAll(backend.saveBatch(items)))).containsExactly("saveBatch");
        assertThat(results).hasSize(n).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        for (int i = 0; i < n; i++) {
            assertThat(backend.read("S", "long" + i).payload())
                    .as("item " + i)
                    .asString(StandardCharsets.UTF_8)
                    .isEqualTo("v" + i);
            assertThat(results.get(i).record().payload())
                    .as("item " + i)
                    .asString(StandardCharsets.UTF_8)
                    .isEqualTo("v" + i);
        }
        assertThat(results.get(100).record().updateSeq())
                .as("the save says a gift arrived")
                .isEqualTo(1);
        assertThat(results.get(99).record().updateSeq()).isZero();
    }

    @Test
    void heavyPayloadsAreSplitIntoSeveralScriptsAndAllWritten() {
        // 3 x 5 MB: more than one script's 8 MB budget, so at least two scripts, one round trip
        List<SaveItem> items = acquired("heavy", 3, i -> {
            byte[] b = new byte[5 * 1024 * 1024];
            Arrays.fill(b, (byte) ('a' + i));
            return b;
        });
        List<SaveResult> results = new ArrayList<>();
        assertThat(tripsOf(() -> results.addAll(backend.saveBatch(items)))).containsExactly("saveBatch");
        assertThat(results).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        for (int i = 0; i < 3; i++) {
            byte[] stored = backend.read("S", "heavy" + i).payload();
            assertThat(stored).hasSize(5 * 1024 * 1024);
            assertThat(stored[stored.length - 1]).isEqualTo((byte) ('a' + i));
        }
    }

    /**
     * After SCRIPT FLUSH, the batch's EVALSHA is refused with NOSCRIPT (nothing ran), so it is sent
     * again with EVAL: two round trips. The shared server may have the script back from another
     * client by then, so one or two.
     */
    @Test
    void scriptCacheLossCostsAtMostOneExtraRoundTrip() {
        List<SaveItem> items = acquired("flush", backend.maxBatchSize() + 5, i -> bytes("f" + i));
        raw(c -> c.sync().scriptFlush());
        List<SaveResult> results = new ArrayList<>();
        assertThat(tripsOf(() -> results.addAll(backend.saveBatch(items))))
                .containsOnly("saveBatch")
                .hasSizeBetween(1, 2);
        assertThat(results).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        assertThat(backend.read("S", "flush68").payload())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("f68");
        assertThat(tripsOf(() -> backend.saveBatch(items))).containsExactly("saveBatch");
    }

    @Test
    void aRefusedItemHoldsBackNoOther() {
        List<SaveItem> items = new ArrayList<>(acquired("ind", 3, i -> bytes("mine" + i)));
        Owner thief = new Owner("thief-" + prefix, "p", "j");
        backend.acquire("S", "ind1", thief, 1, INITIAL);
        List<SaveResult> results = backend.saveBatch(items);
        assertThat(results)
                .extracting(SaveResult::status)
                .containsExactly(SaveResult.Status.SAVED, SaveResult.Status.LOST_SESSION, SaveResult.Status.SAVED);
        assertThat(results.get(1).record().owner()).isEqualTo(thief);
        assertThat(results.get(1).record().epoch()).isEqualTo(2);
        assertThat(backend.read("S", "ind1").payload()).isEqualTo(INITIAL);
        assertThat(backend.read("S", "ind2").payload())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("mine2");
    }

    @Test
    void theSameRecordTwiceIsRejectedBeforeAnythingIsSent() {
        List<SaveItem> items = new ArrayList<>(acquired("dup", 2, i -> bytes("d" + i)));
        items.add(new SaveItem("S", "dup0", SaveRequest.of(me.serverId(), 1, bytes("again"), false)));
        trips.clear();
        assertThatThrownBy(() -> backend.saveBatch(items))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("items 0 and 2")
                .hasMessageContaining("S/dup0");
        assertThat(trips).isEmpty();
        assertThat(backend.read("S", "dup0").payload()).isEqualTo(INITIAL);
    }

    @Test
    void nullInputIsNamed() {
        assertThatThrownBy(() -> backend.saveBatch(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("items");
        List<SaveItem> withNull = new ArrayList<>(acquired("nul", 1, i -> bytes("x")));
        withNull.add(null);
        assertThatThrownBy(() -> backend.saveBatch(withNull))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("item 1");
    }

    /** A store error (here a record key holding a string, so the script's HMGET fails) is a BackendException naming the batch. */
    @Test
    void aStoreErrorIsABackendException() {
        List<SaveItem> items = new ArrayList<>(acquired("err", 2, i -> bytes("e" + i)));
        raw(c -> c.sync().set(prefix + ":{S:broken}:p", "not a hash"));
        items.add(1, new SaveItem("S", "broken", SaveRequest.of(me.serverId(), 1, bytes("x"), false)));
        assertThatThrownBy(() -> backend.saveBatch(items))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("saveBatch of 3 saves (S/err0, S/broken, S/err1)")
                .hasMessageContaining("WRONGTYPE")
                .satisfies(e -> assertThat(((BackendException) e).isTransient()).isFalse());
    }

    @Test
    void aClosedBackendRefusesABatch() {
        List<SaveItem> items = acquired("closed", 1, i -> bytes("c"));
        backend.close();
        assertThatThrownBy(() -> backend.saveBatch(items))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("closed");
    }
}
