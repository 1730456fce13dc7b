package dev.profileservice.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The batch helpers every batching backend shares: the check before sending and the cut by count and bytes. */
class SaveItemTest {

    private static SaveItem item(String key, int payloadBytes) {
        return new SaveItem("S", key, SaveRequest.of("srv", 1, new byte[payloadBytes], false));
    }

    private static List<SaveItem> items(int n, int payloadBytes) {
        return IntStream.range(0, n).mapToObj(i -> item("k" + i, payloadBytes)).toList();
    }

    @Test
    void aRecordTwiceOrANullItemIsRefusedNamingTheItems() {
        assertThatThrownBy(() -> SaveItem.requireDistinct(List.of(item("a", 1), item("b", 1), item("a", 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("S/a")
                .hasMessageContaining("items 0 and 2");
        List<SaveItem> withNull = new ArrayList<>(List.of(item("a", 1)));
        withNull.add(null);
        assertThatThrownBy(() -> SaveItem.requireDistinct(withNull))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("item 1 of 2 is null");
        assertThatThrownBy(() -> SaveItem.requireDistinct(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("items");
        SaveItem.requireDistinct(
                List.of(item("a", 1), new SaveItem("T", "a", SaveRequest.of("srv", 1, new byte[1], false))));
        SaveItem.requireDistinct(List.of());
    }

    @Test
    void chunksHoldAtMostMaxItemsInOrder() {
        List<SaveItem> items = items(150, 10);
        List<List<SaveItem>> chunks = SaveItem.chunks(items, 64, Long.MAX_VALUE);
        assertThat(chunks).extracting(List::size).containsExactly(64, 64, 22);
        assertThat(chunks.stream().flatMap(List::stream).toList()).isEqualTo(items);
        assertThat(SaveItem.chunks(items(64, 10), 64, Long.MAX_VALUE)).hasSize(1);
        assertThat(SaveItem.chunks(List.of(), 64, Long.MAX_VALUE)).isEmpty();
        assertThatThrownBy(() -> SaveItem.chunks(items, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chunksAreCutByBytesAndAnOversizedItemGoesAlone() {
        int mb = 1024 * 1024;
        assertThat(SaveItem.chunks(items(5, 3 * mb), 64, 8L * mb))
                .extracting(List::size)
                .containsExactly(2, 2, 1);
        assertThat(SaveItem.chunks(items(2, 9 * mb), 64, 8L * mb))
                .extracting(List::size)
                .containsExactly(1, 1);
        List<SaveRequest.Consume> many = new java.util.ArrayList<>();
        for (long id = 1; id <= 30_000; id++) {
            many.add(new SaveRequest.Consume(id, 1));
        }
        List<SaveItem> consuming = List.of(
                new SaveItem("S", "a", new SaveRequest("srv", 1, new byte[5 * mb], false, many)), item("b", 2 * mb));
        assertThat(SaveItem.chunks(consuming, 64, 8L * mb))
                .as("consumed updates count too")
                .extracting(List::size)
                .containsExactly(1, 1);
        assertThat(item("k", 100).estimatedBytes())
                .isEqualTo(256 + 100 + 4 * ("S".length() + "k".length() + "srv".length()));
    }
}
