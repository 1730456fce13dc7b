package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The owner's fenced save of one record as SQL, the same in every dialect:
 * <pre>
 * UPDATE ps_profiles SET payload = ?, revision = revision + 1
 *        [, inbox = ?, inbox_version = inbox_version + 1]                 -- with a new inbox
 *        [, owner_server = NULL, owner_place = NULL, owner_job = NULL]    -- with release
 *  WHERE store = ? AND pkey = ? AND epoch = ? AND owner_server = ? [AND inbox_version = ?]
 * </pre>
 * PostgreSQL and SQLite send it with {@code RETURNING} ({@link ReturningBackend}); MariaDB follows
 * it with {@code ROW_COUNT()} in a multi-statement text ({@link MariadbBackend}). A row that the
 * UPDATE does not match was not written, and {@link #refusal} says why. Stateless.
 */
final class FencedSave {
    /** How many forms the UPDATE has: with or without release, with or without a new inbox. */
    static final int VARIANTS = 4;

    /** The UPDATE of each {@link #variant}. */
    private static final String[] UPDATE = statements(UnaryOperator.identity());

    private FencedSave() {
    }

    /** Which of the {@link #VARIANTS} forms {@code w} needs: (release ? 1 : 0) + (new inbox ? 2 : 0). */
    static int variant(SaveRequest w) {
        return (w.release() ? 1 : 0) + (w.newInbox() != null ? 2 : 0);
    }

    /** The UPDATE for {@code w}; its parameters are {@link #addArgs}. */
    static String update(SaveRequest w) {
        return UPDATE[variant(w)];
    }

    /** The statement of every {@link #variant}, each the UPDATE as {@code wrap} completes it (e.g. with RETURNING). */
    static String[] statements(UnaryOperator<String> wrap) {
        String[] out = new String[VARIANTS];
        for (int variant = 0; variant < VARIANTS; variant++) {
            boolean release = (variant & 1) != 0;
            boolean inbox = (variant & 2) != 0;
            out[variant] = wrap.apply("UPDATE " + JdbcBackend.PROFILES + " SET payload = ?, revision = revision + 1"
                    + (inbox ? ", inbox = ?, inbox_version = inbox_version + 1" : "")
                    + (release ? ", owner_server = NULL, owner_place = NULL, owner_job = NULL" : "")
                    + " WHERE store = ? AND pkey = ? AND epoch = ? AND owner_server = ?"
                    + (inbox ? " AND inbox_version = ?" : ""));
        }
        return out;
    }

    /** Appends the parameters of {@code w}'s UPDATE to {@code args}, in the order of its placeholders. */
    static void addArgs(List<Object> args, String store, String key, SaveRequest w) {
        boolean inbox = w.newInbox() != null;
        args.add(w.payload());
        if (inbox) {
            args.add(w.newInbox());
        }
        args.add(store);
        args.add(key);
        args.add(w.epoch());
        args.add(w.serverId());
        if (inbox) {
            args.add(w.expectedInboxVersion());
        }
    }

    /** The parameters of {@code w}'s UPDATE, in the order of its placeholders. */
    static Object[] args(String store, String key, SaveRequest w) {
        List<Object> args = new ArrayList<>(7);
        addArgs(args, store, key, w);
        return args.toArray();
    }

    /** Why a fenced save matched no row, judged from the record as it is now: the fence first, then the inbox. */
    static SaveResult.Status refusal(StoredProfile now, SaveRequest w) {
        boolean session = now.owner() != null && now.epoch() == w.epoch() && now.owner().serverId().equals(w.serverId());
        if (session && w.newInbox() != null && now.inboxVersion() != w.expectedInboxVersion()) {
            return SaveResult.Status.INBOX_CHANGED;
        }
        return SaveResult.Status.LOST_SESSION;
    }
}
