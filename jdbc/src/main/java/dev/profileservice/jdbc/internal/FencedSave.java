package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.SaveRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The owner's fenced save of one record that consumes no global update, as SQL, the same in every
 * dialect:
 * <pre>
 * UPDATE ps_profiles SET payload = ?, revision = revision + 1, keep_as = ?, user_ids_set = COALESCE(?, user_ids_set)
 *        [, owner_server = NULL, owner_place = NULL, owner_job = NULL]    -- with release
 *  WHERE store = ? AND pkey = ? AND epoch = ? AND owner_server = ?
 * </pre>
 * PostgreSQL and SQLite send it with {@code RETURNING} ({@link ReturningBackend}); MariaDB follows
 * it with {@code ROW_COUNT()} in a multi-statement text ({@link MariadbBackend}). A row that the
 * UPDATE does not match was not written: the session is lost. (A save that consumes updates is a
 * transaction of {@link JdbcInbox}.) {@code keep_as} is the cause of a version to keep, or NULL;
 * {@code user_ids_set} the profile's user ids as a JSON array when they changed: the table's trigger
 * ({@link JdbcLayout}) keeps the version and rewrites the index of user ids in the same statement, and
 * clears both columns.
 * Stateless.
 */
final class FencedSave {
    /** How many forms the UPDATE has: without or with release. */
    static final int VARIANTS = 2;

    /** What a release adds to the SET list. */
    static final String RELEASE = ", owner_server = NULL, owner_place = NULL, owner_job = NULL";

    /** The UPDATE of each {@link #variant}. */
    private static final String[] UPDATE = statements(UnaryOperator.identity());

    private FencedSave() {}

    /** Which of the {@link #VARIANTS} forms {@code w} needs: 1 with release, else 0. */
    static int variant(SaveRequest w) {
        requirePlain(w);
        return w.release() ? 1 : 0;
    }

    /** The UPDATE for {@code w}; its parameters are {@link #addArgs}. */
    static String update(SaveRequest w) {
        return UPDATE[variant(w)];
    }

    /** The statement of every {@link #variant}, each the UPDATE as {@code wrap} completes it (e.g. with RETURNING). */
    static String[] statements(UnaryOperator<String> wrap) {
        String[] out = new String[VARIANTS];
        for (int variant = 0; variant < VARIANTS; variant++) {
            out[variant] = wrap.apply("UPDATE " + JdbcBackend.PROFILES
                    + " SET payload = ?, revision = revision + 1, keep_as = ?, user_ids_set = ?"
                    + (variant == 1 ? RELEASE : "")
                    + " WHERE store = ? AND pkey = ? AND epoch = ? AND owner_server = ?");
        }
        return out;
    }

    /** Appends the parameters of {@code w}'s UPDATE to {@code args}, in the order of its placeholders. */
    static void addArgs(List<Object> args, String store, String key, SaveRequest w) {
        requirePlain(w);
        args.add(w.payload());
        args.add(keepAs(w));
        args.add(w.userIdsJson());
        args.add(store);
        args.add(key);
        args.add(w.epoch());
        args.add(w.serverId());
    }

    /** The parameters of {@code w}'s UPDATE, in the order of its placeholders. */
    static Object[] args(String store, String key, SaveRequest w) {
        List<Object> args = new ArrayList<>(7);
        addArgs(args, store, key, w);
        return args.toArray();
    }

    /** The {@code keep_as} column of {@code w}'s write: the cause's label, or null when the save keeps no version. */
    static String keepAs(SaveRequest w) {
        return w.keepAs() == null ? null : w.keepAs().label();
    }

    private static void requirePlain(SaveRequest w) {
        if (!w.consume().isEmpty()) {
            throw new IllegalStateException("a save that consumes updates is not a plain fenced UPDATE");
        }
    }
}
