package dev.profileservice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group commit of saves: batch sizes, the flusher limit, and failures of a whole batch. */
class SaveBatcherTest {

    private final ExecutorService io = Executors.newFixedThreadPool(8);
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final List<List<String>> batchKeys = new CopyOnWriteArrayList<>();
    private final AtomicInteger atStore = new AtomicInteger();
    private final AtomicInteger mostAtStore = new AtomicInteger();

    @AfterEach
    void stop() {
        io.shutdownNow();
    }

    /** A backend of which only save, saveBatch, maxBatchSize and describe are used. */
    private Backend backend(int maxBatch, Function<List<SaveItem>, List<SaveResult>> onBatch) {
        return (Backend) Proxy.newProxyInstance(
                Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "maxBatchSize" -> maxBatch;
                    case "describe", "toString" -> "fake";
                    case "save" ->
                        call(onBatch, List.of(new SaveItem((String) args[0], (String) args[1], (SaveRequest) args[2])))
                                .get(0);
                    case "saveBatch" -> {
                        @SuppressWarnings("unchecked")
                        List<SaveItem> items = (List<SaveItem>) args[0];
                        yield call(onBatch, items);
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private List<SaveResult> call(Function<List<SaveItem>, List<SaveResult>> onBatch, List<SaveItem> items) {
        int now = atStore.incrementAndGet();
        mostAtStore.accumulateAndGet(now, Math::max);
        try {
            batchSizes.add(items.size());
            batchKeys.add(items.stream().map(SaveItem::key).toList());
            return onBatch.apply(items);
        } finally {
            atStore.decrementAndGet();
        }
    }

    /** A store answer that signals {@code atStore} and then waits for {@code letGo} before saving everything. */
    private static Function<List<SaveItem>, List<SaveResult>> holdingUntil(
            CountDownLatch atStore, CountDownLatch letGo) {
        return items -> {
            atStore.countDown();
            try {
                letGo.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return allSaved(items);
        };
    }

    private static List<SaveResult> allSaved(List<SaveItem> items) {
        List<SaveResult> out = new ArrayList<>();
        for (SaveItem i : items) {
            out.add(new SaveResult(SaveResult.Status.SAVED, StoredProfile.ABSENT));
        }
        return out;
    }

    /** A sync that records its outcome. */
    private static final class Probe implements SaveBatcher.Sync {
        final String key;
        final Map<String, Object> outcomes;

        Probe(String key, Map<String, Object> outcomes) {
            this.key = key;
            this.outcomes = outcomes;
        }

        @Override
        public SaveBatcher.PendingSave begin() {
            SaveItem item = new SaveItem("s", key, SaveRequest.of("me", 1, key.getBytes(), false));
            return new SaveBatcher.PendingSave() {
                public SaveItem item() {
                    return item;
                }

                public void complete(SaveResult result) {
                    outcomes.put(key, result.status());
                }

                public void fail(RuntimeException e) {
                    outcomes.put(key, e);
                }
            };
        }
    }

    @Test
    void saves_that_arrive_while_the_store_is_busy_share_batches_up_to_the_limit() throws Exception {
        CountDownLatch firstAtStore = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Backend b = backend(16, holdingUntil(firstAtStore, letGo));
        SaveBatcher batcher = new SaveBatcher(b, io, 1); // one flusher
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        batcher.submit(new Probe("k0", outcomes));
        assertThat(firstAtStore.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 40; i++) {
            batcher.submit(new Probe("k" + i, outcomes));
        }
        letGo.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 41);
        assertThat(outcomes.values()).containsOnly(SaveResult.Status.SAVED);
        assertThat(batchSizes).containsExactly(1, 16, 16, 8);
        assertThat(mostAtStore.get()).isEqualTo(1);
    }

    @Test
    void a_burst_starts_one_flusher_per_full_batch_but_never_more_than_the_limit() {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch threeAtOnce = new CountDownLatch(3);
        Backend b = backend(10, items -> {
            if (calls.incrementAndGet() <= 3) {
                // the first three batches wait for each other: three flushers must be at the store at once
                threeAtOnce.countDown();
                try {
                    if (!threeAtOnce.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("three flushers never were at the store at once");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return allSaved(items);
        });
        SaveBatcher batcher = new SaveBatcher(b, io, 4); // 4 I/O threads: at most 3 flushers
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        List<Probe> burst = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            burst.add(new Probe("k" + i, outcomes));
        }
        batcher.submitAll(burst);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(outcomes).hasSize(100));
        assertThat(outcomes.values()).containsOnly(SaveResult.Status.SAVED);
        assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        assertThat(batchSizes).allSatisfy(n -> assertThat(n).isBetween(1, 10));
        assertThat(mostAtStore.get()).isEqualTo(3);
    }

    @Test
    void a_failed_batch_fails_every_item_and_a_short_answer_is_a_failure_too() {
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        SaveBatcher failing = new SaveBatcher(
                backend(8, items -> {
                    throw new BackendException("connection reset", true);
                }),
                io,
                1);
        failing.submitAll(List.of(new Probe("a", outcomes), new Probe("b", outcomes), new Probe("c", outcomes)));
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 3);
        assertThat(outcomes.values()).allSatisfy(o -> assertThat(o).isInstanceOf(BackendException.class));

        Map<String, Object> shortOutcomes = new ConcurrentHashMap<>();
        SaveBatcher shortAnswer = new SaveBatcher(backend(8, items -> allSaved(items.subList(0, 1))), io, 1);
        shortAnswer.submitAll(List.of(new Probe("x", shortOutcomes), new Probe("y", shortOutcomes)));
        await().atMost(Duration.ofSeconds(10)).until(() -> shortOutcomes.size() == 2);
        assertThat(shortOutcomes.values())
                .allSatisfy(o -> assertThat(o)
                        .isInstanceOf(IllegalStateException.class)
                        .asString()
                        .contains("returned 1 results for a batch of 2"));
    }

    @Test
    void a_backend_without_batching_gets_single_saves_in_parallel() {
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        SaveBatcher batcher = new SaveBatcher(backend(1, SaveBatcherTest::allSaved), io, 8);
        List<Probe> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            burst.add(new Probe("k" + i, outcomes));
        }
        batcher.submitAll(burst);
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 50);
        assertThat(batchSizes).hasSize(50).containsOnly(1);
        assertThat(mostAtStore.get()).isLessThanOrEqualTo(6);
    }

    @Test
    void a_release_goes_ahead_of_queued_auto_saves() throws Exception {
        CountDownLatch firstAtStore = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Backend b = backend(8, holdingUntil(firstAtStore, letGo));
        SaveBatcher batcher = new SaveBatcher(b, io, 1);
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        batcher.submit(new Probe("busy", outcomes));
        assertThat(firstAtStore.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 20; i++) {
            batcher.submit(new Probe("auto" + i, outcomes));
        }
        batcher.submitFirst(new Probe("release", outcomes));
        letGo.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 22);
        assertThat(batchKeys.get(1))
                .as("the batch right after the busy one")
                .startsWith("release")
                .hasSize(8);
        assertThat(batchKeys.get(3)).endsWith("auto19");
    }
}
