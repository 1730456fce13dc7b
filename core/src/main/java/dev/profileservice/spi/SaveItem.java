package dev.profileservice.spi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One fenced save of a {@link Backend#saveBatch batch}: the record's address and the write.
 *
 * <p>The static helpers are for backends that implement {@code saveBatch} themselves: check a
 * batch before anything is sent ({@link #requireDistinct}) and cut it into requests of a size the
 * store accepts ({@link #chunks}). Stateless; callable from any thread.
 *
 * @param store   the store name
 * @param key     the profile key
 * @param request the fenced write, with the same meaning as in {@link Backend#save}
 */
public record SaveItem(String store, String key, SaveRequest request) {
    public SaveItem {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(request, "request");
    }

    /**
     * Checks a batch before anything is sent: no item is null and no {@code (store, key)} occurs
     * twice (the engine never builds such a batch; {@link Backend#saveBatch} lets a backend refuse
     * it). The message names the items by their index in {@code items}.
     *
     * @throws NullPointerException     if {@code items} is null
     * @throws IllegalArgumentException if an item is null or two items save the same record
     */
    public static void requireDistinct(List<SaveItem> items) {
        Objects.requireNonNull(items, "items");
        Map<Map.Entry<String, String>, Integer> firstIndex = new HashMap<>(Math.max(16, items.size() * 2));
        for (int i = 0; i < items.size(); i++) {
            SaveItem item = items.get(i);
            if (item == null) {
                throw new IllegalArgumentException("saveBatch: item " + i + " of " + items.size() + " is null");
            }
            Integer earlier = firstIndex.putIfAbsent(Map.entry(item.store, item.key), i);
            if (earlier != null) {
                throw new IllegalArgumentException("saveBatch: record " + item.store + "/" + item.key
                        + " occurs twice (items " + earlier + " and " + i + "); a batch may hold each record once");
            }
        }
    }

    /**
     * What this item counts for when a batch is cut by bytes ({@link #chunks}): payload, consumed
     * updates and names (up to 4 bytes a character), plus 256 bytes for the statement or script
     * around them.
     */
    public long estimatedBytes() {
        return 256L
                + request.payload().length
                + 40L * request.consume().size()
                + 4L * (store.length() + key.length() + request.serverId().length());
    }

    /**
     * Cuts {@code items}, in their order, into consecutive runs of at most {@code maxItems} items
     * whose {@link #estimatedBytes()} add up to at most {@code maxBytes}; an item larger than
     * {@code maxBytes} on its own is a run alone (a store must still be able to save it). Every
     * item is in exactly one run; the runs are views of {@code items}, in order.
     *
     * @throws IllegalArgumentException if {@code maxItems} is less than 1
     */
    public static List<List<SaveItem>> chunks(List<SaveItem> items, int maxItems, long maxBytes) {
        if (maxItems < 1) {
            throw new IllegalArgumentException("maxItems must be at least 1, was " + maxItems);
        }
        List<List<SaveItem>> out = new ArrayList<>();
        int from = 0;
        long bytes = 0;
        for (int i = 0; i < items.size(); i++) {
            long size = items.get(i).estimatedBytes();
            if (i > from && (i - from == maxItems || bytes + size > maxBytes)) {
                out.add(items.subList(from, i));
                from = i;
                bytes = 0;
            }
            bytes += size;
        }
        if (from < items.size()) {
            out.add(items.subList(from, items.size()));
        }
        return out;
    }
}
