package dev.profileservice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How a store's data evolves: its current data version, the migration steps that bring data saved
 * at an older version up to it, and a validator. Given to
 * {@link ProfileService#getProfileStore(String, Object, DataModel)}:
 *
 * <pre>{@code
 * DataModel<PlayerData> model = DataModel.<PlayerData>version(3)
 *         .migrate(1, data -> data.put("gems", 0))                            // 1 -> 2: a new field
 *         .migrate(2, data -> data.put("coins", data.remove("gold")))          // 2 -> 3: a rename
 *         .validate(d -> d.coins < 0 ? "coins are negative: " + d.coins : null);
 * ProfileStore<PlayerData> store = service.getProfileStore("PlayerData", new PlayerData(), model);
 * }</pre>
 *
 * <ul>
 *   <li>The version is saved with every profile. Data saved before the store had a model is at
 *       version 1.</li>
 *   <li>On load (and on a view), data at an older version goes through each step in turn before
 *       the game sees it. A step works on the data as a JSON-like {@code Map<String, Object>} (maps,
 *       lists, strings, numbers, booleans, nulls), so it keeps working whatever the Java class looks
 *       like today. The loading server keeps the data as it was before the migration as a version
 *       of the history (cause {@code migration}), and its next save writes the migrated data.</li>
 *   <li>Data at a <b>newer</b> version than this model's is refused: the load fails with an
 *       exception naming both versions and nothing is written. This keeps a rolling deploy safe: a
 *       server still on the old release never loads data a new server migrated, and never saves it
 *       back in the old shape. Its views ({@code viewProfile}) read such data as it is stored,
 *       not migrated, and refuse {@code overwrite()}.</li>
 *   <li>A step that throws fails the load the same way (reported on the issue signal).</li>
 *   <li>The validator runs on load (after migrating) and before every save. A save of invalid data
 *       is not written: the issue signal names the key and the problem, the profile stays active and
 *       the store keeps its last good state (a release writes that state back). A load of invalid
 *       data fails, nothing written.</li>
 * </ul>
 *
 * <p>Immutable: each method returns a new model. Steps and the validator run on the service's I/O
 * threads (the validator also under the profile's data lock before a save): keep them fast and free
 * of side effects.
 *
 * @param <T> the data type
 */
public final class DataModel<T> {
    private final int version;
    private final List<Consumer<Map<String, Object>>> steps;
    private final Function<? super T, String> validator;

    private DataModel(int version, List<Consumer<Map<String, Object>>> steps, Function<? super T, String> validator) {
        this.version = version;
        this.steps = steps;
        this.validator = validator;
    }

    /**
     * A model whose data is at {@code version} (1 or more), without steps yet: add one with
     * {@link #migrate} for each version from 1 to {@code version - 1}.
     *
     * @throws IllegalArgumentException if {@code version} is less than 1
     */
    public static <T> DataModel<T> version(int version) {
        if (version < 1) {
            throw new IllegalArgumentException("a data version is 1 or more, was " + version);
        }
        return new DataModel<>(version, Collections.nCopies(version - 1, null), null);
    }

    /**
     * This model with the step that brings data from {@code fromVersion} to {@code fromVersion + 1}.
     * The step changes the map it is given in place.
     *
     * @throws IllegalArgumentException if {@code fromVersion} is not between 1 and {@code version() - 1},
     *                                  or that step was given already
     */
    public DataModel<T> migrate(int fromVersion, Consumer<Map<String, Object>> step) {
        Objects.requireNonNull(step, "step");
        if (fromVersion < 1 || fromVersion >= version) {
            throw new IllegalArgumentException("a step of a model at version " + version
                    + " starts at a version from 1 to " + (version - 1) + ", not " + fromVersion);
        }
        if (steps.get(fromVersion - 1) != null) {
            throw new IllegalArgumentException("the step from version " + fromVersion + " was given twice");
        }
        List<Consumer<Map<String, Object>>> next = new ArrayList<>(steps);
        next.set(fromVersion - 1, step);
        return new DataModel<>(version, Collections.unmodifiableList(next), validator);
    }

    /**
     * This model with a validator: it returns what is wrong with the data, or null when it is valid.
     *
     * @throws IllegalStateException if a validator was given already
     */
    public DataModel<T> validate(Function<? super T, String> validator) {
        Objects.requireNonNull(validator, "validator");
        if (this.validator != null) {
            throw new IllegalStateException("this model has a validator already; give one that checks everything");
        }
        return new DataModel<>(version, steps, validator);
    }

    /** The current data version. */
    public int version() {
        return version;
    }

    /**
     * The step from {@code fromVersion} to the next one.
     *
     * @throws IllegalStateException if the model has no such step
     */
    public Consumer<Map<String, Object>> step(int fromVersion) {
        Consumer<Map<String, Object>> step =
                fromVersion >= 1 && fromVersion < version ? steps.get(fromVersion - 1) : null;
        if (step == null) {
            throw new IllegalStateException(
                    "the data model (version " + version + ") has no migration step from version " + fromVersion
                            + "; add it with migrate(" + fromVersion + ", ...)");
        }
        return step;
    }

    /** What is wrong with {@code data}, or null when it is valid (or the model has no validator). */
    public String problemWith(T data) {
        return validator == null ? null : validator.apply(data);
    }

    /** The model of a store given none: version 1, no steps, no validator. */
    public static <T> DataModel<T> none() {
        return version(1);
    }
}
