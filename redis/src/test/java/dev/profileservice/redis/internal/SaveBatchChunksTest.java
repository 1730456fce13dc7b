package dev.profileservice.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How {@code saveBatch} cuts a batch into scripts: by item count, by bytes, and by Cluster slot. */
class SaveBatchChunksTest {
    private final RedisKeys keys = new RedisKeys("ps");

    private List<SaveItem> items(int n, int payloadBytes) {
        List<SaveItem> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new SaveItem("S", "k" + i, SaveRequest.of("srv", 1, new byte[payloadBytes], false)));
        }
        return out;
    }

    private String[] recordKeys(List<SaveItem> items) {
        return items.stream().map(i -> keys.record(i.store(), i.key())).toArray(String[]::new);
    }

    private static List<List<Integer>> asLists(List<int[]> chunks) {
        return chunks.stream().map(c -> Arrays.stream(c).boxed().toList()).toList();
    }

    @Test
    void aSingleServerTakesUpToMaxBatchSizeItemsPerScriptInOrder() {
        List<SaveItem> items = items(150, 10);
        List<List<Integer>> chunks = asLists(RedisSaveBatch.chunks(items, recordKeys(items), false));
        assertThat(chunks).extracting(List::size).containsExactly(64, 64, 22);
        assertThat(chunks.stream().flatMap(List::stream).toList())
                .isEqualTo(IntStream.range(0, 150).boxed().toList());
        assertThat(asLists(RedisSaveBatch.chunks(items(64, 10), recordKeys(items(64, 10)), false)))
                .hasSize(1);
    }

    @Test
    void heavyItemsAreCutByBytesAndAnOversizedItemGoesAlone() {
        int mb = 1024 * 1024;
        List<SaveItem> items = items(5, 3 * mb); // 8 MB budget: 2 + 2 + 1
        assertThat(asLists(RedisSaveBatch.chunks(items, recordKeys(items), false)))
                .extracting(List::size)
                .containsExactly(2, 2, 1);
        List<SaveItem> huge = items(2, 9 * mb); // each over the budget on its own: one script each
        assertThat(asLists(RedisSaveBatch.chunks(huge, recordKeys(huge), false)))
                .containsExactly(List.of(0), List.of(1));
        List<SaveItem> exactlyFull = List.of(
                new SaveItem("S", "a", SaveRequest.of("srv", 1, new byte[6 * mb], false)),
                new SaveItem("S", "b", SaveRequest.of("srv", 1, new byte[2 * mb], false)));
        assertThat(asLists(RedisSaveBatch.chunks(exactlyFull, recordKeys(exactlyFull), false)))
                .as("the per-item overhead counts too")
                .containsExactly(List.of(0), List.of(1));
    }

    @Test
    void onClusterEveryScriptHoldsOneSlotOnly() {
        List<SaveItem> items = new ArrayList<>(items(200, 10));
        // keys whose record hashes share a slot with an earlier one (CRC16 rarely collides on
        // short sequential names, so search for them), placed so that groups interleave
        java.util.Map<Integer, Integer> slotsSeen = new java.util.HashMap<>();
        for (SaveItem i : items) {
            slotsSeen.put(RedisKeys.slot(keys.record(i.store(), i.key())), 0);
        }
        int added = 0;
        for (int j = 0; added < 3; j++) {
            assertThat(j).as("search for colliding names").isLessThan(1_000_000);
            String k = "collide-" + j * 7919;
            if (slotsSeen.containsKey(RedisKeys.slot(keys.record("S", k)))) {
                items.add(new SaveItem("S", k, SaveRequest.of("srv", 1, new byte[10], false)));
                added++;
            }
        }
        String[] recordKeys = recordKeys(items);
        List<int[]> chunks = RedisSaveBatch.chunks(items, recordKeys, true);
        assertThat(chunks.stream()
                        .flatMap(c -> Arrays.stream(c).boxed())
                        .sorted()
                        .toList())
                .as("every item in exactly one script")
                .isEqualTo(IntStream.range(0, items.size()).boxed().toList());
        long slots =
                Arrays.stream(recordKeys).mapToInt(RedisKeys::slot).distinct().count();
        assertThat(chunks).hasSize((int) slots).hasSizeLessThan(items.size());
        for (int[] chunk : chunks) {
            assertThat(Arrays.stream(chunk)
                            .map(i -> RedisKeys.slot(recordKeys[i]))
                            .distinct()
                            .count())
                    .isEqualTo(1);
            assertThat(chunk).as("items keep their order within a script").isSorted();
        }
    }

    @Test
    void slotFollowsTheHashTagAsRedisComputesIt() {
        // CLUSTER KEYSLOT foo answers 12182
        assertThat(RedisKeys.slot("foo")).isEqualTo(12182);
        assertThat(RedisKeys.slot(keys.record("S", "k"))).isEqualTo(RedisKeys.slot(keys.quarantine("S", "k")));
        assertThat(RedisKeys.slot(keys.record("S", "k"))).isEqualTo(RedisKeys.slot("S:k"));
    }
}
