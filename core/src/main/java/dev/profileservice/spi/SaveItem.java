package dev.profileservice.spi;

import java.util.Objects;

/**
 * One fenced save of a {@link Backend#saveBatch batch}: the record's address and the write.
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
}
