package dev.profileservice.cli;

import dev.profileservice.DataModel;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Tests only: the data model {@code profiles migrate --model} loads in {@link BulkCommandsContract},
 * as a game would ship it. Version 3: 1 -> 2 adds {@code gems}, 2 -> 3 renames {@code gold} to
 * {@code coins}; a step fails on data holding {@code poison}; the validator refuses negative coins.
 */
public final class BulkTestModel implements Supplier<DataModel<Map<String, Object>>> {
    @Override
    public DataModel<Map<String, Object>> get() {
        return DataModel.<Map<String, Object>>version(3)
                .migrate(1, data -> {
                    if (data.containsKey("poison")) {
                        throw new IllegalStateException("poisoned data");
                    }
                    data.put("gems", 0);
                })
                .migrate(2, data -> data.put("coins", data.remove("gold")))
                .validate(data ->
                        data.get("coins") instanceof Number n && n.longValue() < 0 ? "coins are negative: " + n : null);
    }

    /** Tests only: a class that is not a model supplier, for the bad-input check. */
    public static final class NotAModel {
        public NotAModel() {}
    }
}
