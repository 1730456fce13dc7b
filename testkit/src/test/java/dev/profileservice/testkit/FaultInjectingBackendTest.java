package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.profileservice.internal.memory.MemoryBackend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.UpdateOp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultInjectingBackendTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static final Owner ME = new Owner("s1", "place", "job");

    private static FaultInjectingBackend fresh() {
        return new FaultInjectingBackend(MemoryBackend.named("fib-" + UUID.randomUUID()));
    }

    @Test
    void passesThroughAndCounts() {
        FaultInjectingBackend b = fresh();
        assertThat(b.read("S", "k").isEmpty()).isTrue();
        assertThat(b.acquire("S", "k", ME, -1, INITIAL).acquired()).isTrue();
        assertThat(b.calls("read")).isEqualTo(1);
        assertThat(b.calls("acquire")).isEqualTo(1);
        assertThat(b.calls("save")).isZero();
        assertThat(b.callCounts()).containsEntry("read", 1).containsEntry("acquire", 1);
        b.resetCounts();
        assertThat(b.calls("read")).isZero();
        assertThat(b.describe()).startsWith("memory:fib-");
        assertThatThrownBy(() -> b.calls("nosuch"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuch");
    }

    @Test
    void failNextFailsExactlyThatManyCallsWithoutReachingTheStore() {
        FaultInjectingBackend b = fresh();
        b.acquire("S", "k", ME, -1, INITIAL);
        b.failNext("save", 2);
        SaveRequest w = SaveRequest.of("s1", 1, "x".getBytes(StandardCharsets.UTF_8), false);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> b.save("S", "k", w))
                    .isInstanceOfSatisfying(
                            BackendException.class,
                            e -> assertThat(e.isTransient()).isTrue())
                    .hasMessageContaining("injected failure of save");
        }
        assertThat(b.delegate().read("S", "k").payload()).isEqualTo(INITIAL);
        assertThat(b.save("S", "k", w).status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(b.calls("save")).isEqualTo(3);
        assertThat(b.injectedFailures("save")).isEqualTo(2);
        assertThat(b.read("S", "k").payload()).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void failAllTakesTheStoreDownUntilTurnedOff() {
        FaultInjectingBackend b = fresh();
        b.failAll(true);
        assertThat(b.isDown()).isTrue();
        assertThatThrownBy(() -> b.read("S", "k")).isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> b.heartbeat(new Owner("s1", "p", "j"), java.time.Duration.ofSeconds(1)))
                .isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> b.sendUpdates("S", "k", gift("t1"), 10)).isInstanceOf(BackendException.class);
        assertThat(b.delegate().read("S", "k").isEmpty()).isTrue();
        b.failAll(false);
        assertThat(b.sendUpdates("S", "k", gift("t1"), 10).status()).isEqualTo(SendResult.Status.APPLIED);
        assertThat(b.injectedFailures("read")).isEqualTo(1);
    }

    @Test
    void pauseBlocksCallsUntilReleased() throws Exception {
        FaultInjectingBackend b = fresh();
        b.acquire("S", "k", ME, -1, INITIAL);
        FaultInjectingBackend.Pause pause = b.pause("save");
        CompletableFuture<SaveResult> save =
                CompletableFuture.supplyAsync(() -> b.save("S", "k", SaveRequest.of("s1", 1, new byte[] {1}, false)));
        pause.awaitBlocked();
        assertThat(pause.blockedCalls()).isEqualTo(1);
        assertThat(save).isNotDone();
        // a steal while the save is blocked: the save must then be refused by the store
        assertThat(b.delegate()
                        .acquire("S", "k", new Owner("s2", "p", "j"), 1, INITIAL)
                        .acquired())
                .isTrue();
        pause.release();
        assertThat(save.get(5, TimeUnit.SECONDS).status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        // released gates no longer block
        assertThat(b.read("S", "k").owner().serverId()).isEqualTo("s2");
        assertThat(pause.arrivedCalls()).isEqualTo(1);
    }

    @Test
    void pauseForOneKeyLetsOtherKeysThrough() throws Exception {
        FaultInjectingBackend b = fresh();
        FaultInjectingBackend.Pause pause = b.pause("read", "a");
        assertThat(b.read("S", "b").isEmpty()).isTrue();
        CompletableFuture<?> readA = CompletableFuture.runAsync(() -> b.read("S", "a"));
        pause.awaitBlocked();
        assertThat(readA).isNotDone();
        pause.close();
        readA.get(5, TimeUnit.SECONDS);
    }

    @Test
    void awaitBlockedFailsWhenNothingArrives() {
        FaultInjectingBackend b = fresh();
        FaultInjectingBackend.Pause pause = b.pause("save");
        assertThatThrownBy(() -> pause.awaitBlocked(Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("save");
        pause.release();
    }

    @Test
    void disableBusSilencesMessages() {
        String name = "fib-bus-" + UUID.randomUUID();
        FaultInjectingBackend a = new FaultInjectingBackend(MemoryBackend.named(name));
        FaultInjectingBackend b = new FaultInjectingBackend(MemoryBackend.named(name));
        List<String> got = new CopyOnWriteArrayList<>();
        MessageBus busA = a.messageBus().orElseThrow();
        busA.subscribe("A", got::add);
        MessageBus busB = b.messageBus().orElseThrow();
        busB.publish("A", "one");
        await().atMost(Duration.ofSeconds(5)).until(() -> got.contains("one"));

        b.disableBus(true);
        assertThat(b.messageBus()).isEmpty();
        busB.publish("A", "two");
        a.disableBus(true);
        MessageBus other = new FaultInjectingBackend(MemoryBackend.named(name))
                .messageBus()
                .orElseThrow();
        List<String> marker = new CopyOnWriteArrayList<>();
        other.subscribe("C", marker::add);
        other.publish("A", "three");
        other.publish("C", "marker"); // the memory bus delivers in order: once marker is in, "three" was handled
        await().atMost(Duration.ofSeconds(5)).until(() -> marker.contains("marker"));
        b.disableBus(false);
        a.disableBus(false);
        busB.publish("A", "four");
        await().atMost(Duration.ofSeconds(5)).until(() -> got.contains("four"));
        assertThat(got).containsExactly("one", "four");
    }

    private static final byte[] X = "x".getBytes(StandardCharsets.UTF_8);

    /** Acquires each key as ME on the wrapped store and returns one save item per key. */
    private static List<SaveItem> acquiredItems(FaultInjectingBackend b, String... keys) {
        List<SaveItem> items = new java.util.ArrayList<>();
        for (String k : keys) {
            long epoch = b.delegate().acquire("S", k, ME, -1, INITIAL).record().epoch();
            items.add(new SaveItem("S", k, SaveRequest.of("s1", epoch, X, false)));
        }
        return items;
    }

    @Test
    void batchingLimitsComeFromTheWrappedBackend() {
        FaultInjectingBackend b = fresh();
        assertThat(b.maxBatchSize()).isEqualTo(b.delegate().maxBatchSize()).isGreaterThan(1);
        assertThat(b.maxConcurrentCalls()).isEqualTo(b.delegate().maxConcurrentCalls());
    }

    @Test
    void aPlannedSaveFailureFailsAWholeBatchWithoutReachingTheStore() {
        FaultInjectingBackend b = fresh();
        List<SaveItem> items = acquiredItems(b, "a", "b");
        b.failNext("save", 1);

        assertThatThrownBy(() -> b.saveBatch(items))
                .isInstanceOfSatisfying(
                        BackendException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageStartingWith("injected failure of saveBatch");
        assertThat(b.delegate().read("S", "a").payload()).isEqualTo(INITIAL);
        assertThat(b.delegate().read("S", "b").payload()).isEqualTo(INITIAL);
        assertThat(b.calls("saveBatch")).isEqualTo(1);
        assertThat(b.calls("save")).as("each item counts as a save").isEqualTo(2);
        assertThat(b.injectedFailures("saveBatch")).isEqualTo(1);
        assertThat(b.injectedFailures("save")).isEqualTo(2);

        assertThat(b.saveBatch(items))
                .extracting(SaveResult::status)
                .containsExactly(SaveResult.Status.SAVED, SaveResult.Status.SAVED);
        assertThat(b.delegate().read("S", "b").payload()).isEqualTo(X);
        assertThat(b.calls("save")).isEqualTo(4);
    }

    @Test
    void eachItemOfAFailedBatchUsesUpOnePlannedSaveFailure() {
        FaultInjectingBackend b = fresh();
        List<SaveItem> items = acquiredItems(b, "a", "b");
        b.failNext("save", 3);
        assertThatThrownBy(() -> b.saveBatch(items)).isInstanceOf(BackendException.class); // uses 2
        assertThatThrownBy(() -> b.saveBatch(items)).isInstanceOf(BackendException.class); // uses the last one
        assertThat(b.saveBatch(items)).hasSize(2).allMatch(r -> r.status() == SaveResult.Status.SAVED);
        assertThat(b.save("S", "a", items.get(0).request()).status())
                .as("no planned failure left for single saves")
                .isEqualTo(SaveResult.Status.SAVED);
        assertThat(b.injectedFailures("saveBatch")).isEqualTo(2);
    }

    @Test
    void plannedBatchFailuresAndStoreDownFailBatches() {
        FaultInjectingBackend b = fresh();
        List<SaveItem> items = acquiredItems(b, "a");
        b.failNext("saveBatch", 1);
        assertThatThrownBy(() -> b.saveBatch(items)).isInstanceOf(BackendException.class);
        assertThat(b.save("S", "a", items.get(0).request()).status())
                .as("a planned saveBatch failure does not touch single saves")
                .isEqualTo(SaveResult.Status.SAVED);

        b.failAll(true);
        assertThatThrownBy(() -> b.saveBatch(items))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("store down");
        b.failAll(false);
        assertThat(b.saveBatch(items)).extracting(SaveResult::status).containsExactly(SaveResult.Status.SAVED);
        assertThat(b.injectedFailures("saveBatch")).isEqualTo(2);
        assertThat(b.injectedFailures("save")).isEqualTo(2);
    }

    @Test
    void aSavePauseForAKeyHoldsABatchThatHoldsTheKey() throws Exception {
        FaultInjectingBackend b = fresh();
        List<SaveItem> withB = acquiredItems(b, "a", "b");
        List<SaveItem> withoutB = acquiredItems(b, "c");
        FaultInjectingBackend.Pause pause = b.pause("save", "b");

        assertThat(b.saveBatch(withoutB)).as("a batch without the key passes").hasSize(1);
        CompletableFuture<List<SaveResult>> batch = CompletableFuture.supplyAsync(() -> b.saveBatch(withB));
        pause.awaitBlocked();
        assertThat(batch).isNotDone();
        assertThat(b.delegate().read("S", "a").payload())
                .as("no item of a held batch is written")
                .isEqualTo(INITIAL);
        pause.release();
        assertThat(batch.get(5, TimeUnit.SECONDS)).hasSize(2).allMatch(r -> r.status() == SaveResult.Status.SAVED);
        assertThat(pause.arrivedCalls()).isEqualTo(1);
    }

    @Test
    void aSavePauseWithoutAKeyHoldsEveryBatch() throws Exception {
        FaultInjectingBackend b = fresh();
        List<SaveItem> items = acquiredItems(b, "a");
        FaultInjectingBackend.Pause pause = b.pause("save");
        assertThat(b.saveBatch(List.of())).as("an empty batch holds no save").isEmpty();
        CompletableFuture<List<SaveResult>> batch = CompletableFuture.supplyAsync(() -> b.saveBatch(items));
        pause.awaitBlocked();
        assertThat(batch).isNotDone();
        pause.release();
        assertThat(batch.get(5, TimeUnit.SECONDS)).hasSize(1);
    }

    @Test
    void loseNextReplyAppliesTheCallAndThenThrows() {
        FaultInjectingBackend b = fresh();
        b.acquire("S", "k", ME, -1, INITIAL);
        b.acquire("S", "k2", ME, -1, INITIAL);
        b.loseNextReply("save", 1);
        SaveRequest w = SaveRequest.of("s1", 1, "applied".getBytes(StandardCharsets.UTF_8), false);
        assertThatThrownBy(() -> b.save("S", "k", w))
                .isInstanceOfSatisfying(
                        BackendException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageContaining("injected lost reply of save");
        assertThat(new String(b.delegate().read("S", "k").payload(), StandardCharsets.UTF_8))
                .isEqualTo("applied");
        assertThat(b.injectedFailures("save")).isEqualTo(1);
        assertThat(b.save("S", "k", w).status()).as("only the next one").isEqualTo(SaveResult.Status.SAVED);

        b.loseNextReply("save", 1);
        SaveRequest w2 = SaveRequest.of("s1", 1, "batch".getBytes(StandardCharsets.UTF_8), false);
        assertThatThrownBy(() -> b.saveBatch(List.of(new SaveItem("S", "k", w2), new SaveItem("S", "k2", w2))))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("injected lost reply of saveBatch of 2");
        assertThat(new String(b.delegate().read("S", "k2").payload(), StandardCharsets.UTF_8))
                .isEqualTo("batch");
        assertThat(b.saveBatch(List.of(new SaveItem("S", "k", w2))))
                .extracting(SaveResult::status)
                .containsExactly(SaveResult.Status.SAVED);

        b.loseNextReply("sendUpdates", 1);
        b.heal();
        assertThat(b.sendUpdates("S", "k", gift("t2"), 10).addedIds())
                .as("heal() forgets lost replies")
                .hasSize(1);
        assertThatThrownBy(() -> b.loseNextReply("save", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<UpdateOp> gift(String token) {
        return List.of(new UpdateOp.Add(token, new byte[] {1}));
    }
}
