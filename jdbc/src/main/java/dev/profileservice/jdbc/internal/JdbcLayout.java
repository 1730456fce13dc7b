package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcBackend.PROFILES;
import static dev.profileservice.jdbc.internal.JdbcBackend.QUARANTINE;
import static dev.profileservice.jdbc.internal.JdbcBackend.SCHEMA;
import static dev.profileservice.jdbc.internal.JdbcBackend.UPDATES;
import static dev.profileservice.jdbc.internal.JdbcBackend.USER_IDS;
import static dev.profileservice.jdbc.internal.JdbcBackend.VERSIONS;
import static dev.profileservice.jdbc.internal.JdbcConnections.execute;
import static dev.profileservice.jdbc.internal.JdbcConnections.prepare;

import dev.profileservice.spi.LayoutOneInbox;
import dev.profileservice.spi.LayoutUpgrade;
import dev.profileservice.spi.PendingUpdate;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of a JDBC store and their in-place upgrades ({@link LayoutUpgrade}). The layout
 * number is the {@code version} of the {@code 'profiles'} row of {@code ps_schema}.
 * <ul>
 *   <li>Layout 1 (the first release): the inbox was one JSON document per record, in the
 *       {@code inbox} and {@code inbox_version} columns of {@code ps_profiles}.</li>
 *   <li>Layout 2: one row per global update in {@code ps_updates} ({@link JdbcInbox}), with
 *       {@code update_seq} and {@code update_pending} in {@code ps_profiles}. The step adds the
 *       table and columns, moves every inbox's Active updates into rows (id, version 1, token
 *       {@code legacy-<id>}), and drops the old columns. An inbox that is not valid JSON is copied
 *       to {@code ps_quarantine} before it is dropped.</li>
 *   <li>Layout 3: the version history ({@link JdbcHistory}) and the index of user ids: the tables
 *       {@code ps_versions} (one row per kept version: revision, time by the database's clock,
 *       cause, writer, size, pin, payload) and {@code ps_user_ids} ({@code (store, user_id, pkey)}),
 *       the columns {@code keep_as} and {@code user_ids_set} of {@code ps_profiles}, and a trigger on
 *       {@code ps_profiles}: an UPDATE that sets {@code keep_as} to a cause copies the new row into
 *       {@code ps_versions}, one that sets {@code user_ids_set} (a JSON array) rewrites the key's rows
 *       of {@code ps_user_ids}, within the same statement, and clears both columns again. So a
 *       version and the index are written with their save, in the same atomic write, whichever
 *       statement saves. Existing records keep their data; their history starts with their next
 *       kept save, and their user ids enter the index with their next save.</li>
 * </ul>
 * A new database gets the latest tables at once. Servers of an older release must be stopped
 * before a newer one upgrades the tables; an older release refuses a newer layout at start.
 *
 * <h2>Threads</h2>
 * {@link #ensure} runs on the thread that opens the backend, on one connection, under the
 * database-wide schema lock the dialect takes. PostgreSQL and SQLite run it in one transaction;
 * MariaDB, whose DDL commits at once, converts each record in a transaction of its own and checks
 * before each statement whether it already ran, so an upgrade cut short resumes.
 */
final class JdbcLayout {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcLayout.class);
    /** Records converted per query while moving inboxes. */
    private static final int PAGE = 500;

    /**
     * A dialect's tables, each statement {@code CREATE ... IF NOT EXISTS}.
     *
     * @param schemaTable  {@code ps_schema}
     * @param tables       the tables and indexes of the latest layout but {@code ps_schema} and {@code ps_updates}
     * @param updatesTable {@code ps_updates} and its indexes (layout 2)
     * @param oneShotColumns the columns of {@code ps_profiles} the trigger reads and clears
     *                       ({@code keep_as}, {@code user_ids_set}), each as name and type (layout 3)
     * @param history        {@code ps_versions}, {@code ps_user_ids}, their indexes and the trigger (layout 3)
     */
    record Ddl(
            String schemaTable,
            List<String> tables,
            List<String> updatesTable,
            List<String> oneShotColumns,
            List<String> history) {
        /** What a new database gets. */
        List<String> latest() {
            List<String> all = new ArrayList<>(tables);
            all.addAll(updatesTable);
            oneShotColumns.forEach(column -> all.add("ALTER TABLE " + PROFILES + " ADD COLUMN " + column));
            all.addAll(history);
            return all;
        }
    }

    /**
     * The trigger's rewrite of a key's rows of {@code ps_user_ids} from {@code NEW.user_ids_set}:
     * {@code ids} is the dialect's row source of the JSON array's elements, {@code id} the element
     * as a 64-bit integer in it.
     */
    static String rewriteUserIds(String ids, String id) {
        return "DELETE FROM " + USER_IDS + " WHERE store = NEW.store AND pkey = NEW.pkey; INSERT INTO " + USER_IDS
                + " (store, user_id, pkey) SELECT DISTINCT NEW.store, " + id + ", NEW.pkey FROM " + ids;
    }

    /** {@code ps_user_ids} in standard SQL and its index by key (see {@link #standard}). */
    static List<String> userIdsTable(String key, String integer) {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + USER_IDS + " (store " + key + " NOT NULL, user_id " + integer
                        + " NOT NULL, pkey " + key + " NOT NULL, PRIMARY KEY (store, user_id, pkey))",
                "CREATE INDEX IF NOT EXISTS ps_user_ids_key ON " + USER_IDS + " (store, pkey)");
    }

    /**
     * The INSERT of the history trigger: the row as the UPDATE leaves it, at {@code nowMillis}; the
     * writer is the session that saved (the owner before the write), none when the write ended the
     * session by moving the epoch (an overwrite).
     */
    static String insertVersion(String nowMillis, String lengthFunction) {
        StringBuilder writer = new StringBuilder();
        for (String column : List.of("owner_server", "owner_place", "owner_job")) {
            writer.append(", CASE WHEN NEW.epoch = OLD.epoch THEN OLD.")
                    .append(column)
                    .append(" END");
        }
        return "INSERT INTO " + VERSIONS
                + " (store, pkey, revision, saved_at, cause, writer_server, writer_place, writer_job, payload_size, payload)"
                + " VALUES (NEW.store, NEW.pkey, NEW.revision, " + nowMillis + ", NEW.keep_as" + writer + ", "
                + lengthFunction + "(NEW.payload), NEW.payload)";
    }

    /** {@code ps_versions} in standard SQL, from the dialect's type names (see {@link #standard}). */
    static String versionsTable(String key, String bytes, String integer) {
        return "CREATE TABLE IF NOT EXISTS " + VERSIONS + " (store " + key + " NOT NULL, pkey " + key + " NOT NULL,"
                + " revision " + integer + " NOT NULL, saved_at " + integer + " NOT NULL, cause TEXT NOT NULL,"
                + " writer_server TEXT, writer_place TEXT, writer_job TEXT, payload_size " + integer + " NOT NULL,"
                + " pinned " + integer + " NOT NULL DEFAULT 0, payload " + bytes + " NOT NULL,"
                + " PRIMARY KEY (store, pkey, revision))";
    }

    /**
     * The tables of a dialect that speaks standard SQL (PostgreSQL, SQLite), from its type names.
     *
     * @param key      the type of store names and keys, compared byte-wise
     * @param bytes    the binary type
     * @param integer  the 64-bit integer type
     * @param serial   an auto-numbered 64-bit primary key
     * @param profiles storage options after the definition of {@code ps_profiles}, or ""
     * @param trigger  the statements that create the history trigger (see {@link #insertVersion})
     */
    static Ddl standard(
            String key, String bytes, String integer, String serial, String profiles, List<String> trigger) {
        List<String> history = new ArrayList<>();
        history.add(versionsTable(key, bytes, integer));
        history.addAll(userIdsTable(key, integer));
        history.addAll(trigger);
        return new Ddl(
                "CREATE TABLE IF NOT EXISTS " + SCHEMA + " (component TEXT PRIMARY KEY, version " + integer
                        + " NOT NULL)",
                List.of(
                        "CREATE TABLE IF NOT EXISTS " + PROFILES + " (store " + key + " NOT NULL, pkey " + key
                                + " NOT NULL,"
                                + " payload " + bytes + ", epoch " + integer + " NOT NULL DEFAULT 0,"
                                + " owner_server TEXT, owner_place TEXT, owner_job TEXT, update_seq " + integer
                                + " NOT NULL DEFAULT 0,"
                                + " update_pending " + integer + " NOT NULL DEFAULT 0, revision " + integer
                                + " NOT NULL DEFAULT 0,"
                                + " PRIMARY KEY (store, pkey))" + profiles,
                        "CREATE INDEX IF NOT EXISTS ps_profiles_owned ON " + PROFILES
                                + " (store, pkey) WHERE owner_server IS NOT NULL",
                        "CREATE TABLE IF NOT EXISTS " + JdbcBackend.SERVERS
                                + " (server_id TEXT PRIMARY KEY, place_id TEXT, job_id TEXT," + " expires_at " + integer
                                + " NOT NULL)",
                        "CREATE TABLE IF NOT EXISTS " + QUARANTINE + " (id " + serial + ", store " + key + " NOT NULL,"
                                + " pkey " + key + " NOT NULL, payload " + bytes
                                + " NOT NULL, reason TEXT NOT NULL, at_millis " + integer + " NOT NULL)",
                        "CREATE INDEX IF NOT EXISTS ps_quarantine_key ON " + QUARANTINE + " (store, pkey)",
                        "CREATE TABLE IF NOT EXISTS " + JdbcBackend.MESSAGES + " (id " + serial
                                + ", target TEXT NOT NULL, body TEXT NOT NULL," + " created_at " + integer
                                + " NOT NULL)",
                        "CREATE INDEX IF NOT EXISTS ps_messages_target ON " + JdbcBackend.MESSAGES + " (target, id)"),
                List.of(
                        "CREATE TABLE IF NOT EXISTS " + UPDATES + " (store " + key + " NOT NULL, pkey " + key
                                + " NOT NULL,"
                                + " id " + integer + " NOT NULL, version " + integer + " NOT NULL, token " + key
                                + " NOT NULL, data " + bytes + ","
                                + " consumed_at " + integer
                                + ", PRIMARY KEY (store, pkey, id), UNIQUE (store, pkey, token))",
                        "CREATE INDEX IF NOT EXISTS ps_updates_consumed ON " + UPDATES + " (store, pkey, consumed_at)"
                                + " WHERE consumed_at IS NOT NULL"),
                List.of("keep_as TEXT", "user_ids_set TEXT"),
                history);
    }

    private final String description;
    private final Ddl ddl;
    private final LayoutUpgrade<Connection> upgrade;

    JdbcLayout(String description, Ddl ddl) {
        this.description = description;
        this.ddl = ddl;
        this.upgrade = new LayoutUpgrade<>(
                description,
                List.of(
                        new InboxToRows(),
                        LayoutUpgrade.Step.of(3, "the version history and the index of user ids", c -> {
                            for (String column : ddl.oneShotColumns()) {
                                if (!hasColumn(c, column.substring(0, column.indexOf(' ')))) {
                                    execute(c, "ALTER TABLE " + PROFILES + " ADD COLUMN " + column);
                                }
                            }
                            for (String sql : ddl.history()) {
                                execute(c, sql);
                            }
                        })));
    }

    /** The layout this release writes. */
    int latest() {
        return upgrade.latest();
    }

    /** Creates the tables on a new database, or upgrades them; the caller holds the schema lock. */
    void ensure(Connection c) throws SQLException {
        execute(c, ddl.schemaTable());
        Integer layout = null;
        try (PreparedStatement ps = prepare(c, "SELECT version FROM " + SCHEMA + " WHERE component = ?", "profiles");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                layout = rs.getInt(1);
            }
        }
        if (layout == null) {
            for (String sql : ddl.latest()) {
                execute(c, sql);
            }
            try (PreparedStatement ps =
                    prepare(c, "INSERT INTO " + SCHEMA + " (component, version) VALUES (?, ?)", "profiles", latest())) {
                ps.executeUpdate();
            }
            LOG.info("created the ProfileService tables (layout {}) in {}", latest(), description);
            return;
        }
        upgrade.upgrade(c, layout, (conn, version) -> {
            try (PreparedStatement ps =
                    prepare(conn, "UPDATE " + SCHEMA + " SET version = ? WHERE component = ?", version, "profiles")) {
                ps.executeUpdate();
            }
        });
    }

    /** Layout 2: the inbox document becomes rows of {@code ps_updates}. */
    private final class InboxToRows implements LayoutUpgrade.Step<Connection> {
        @Override
        public int to() {
            return 2;
        }

        @Override
        public String description() {
            return "global updates move from the inbox column to the table " + UPDATES;
        }

        @Override
        public void apply(Connection c) throws SQLException {
            for (String sql : ddl.updatesTable()) {
                execute(c, sql);
            }
            addColumn(c, "update_seq", "BIGINT NOT NULL DEFAULT 0");
            addColumn(c, "update_pending", "INT NOT NULL DEFAULT 0");
            if (hasColumn(c, "inbox")) {
                int moved = 0;
                for (List<Inbox> page; !(page = inboxes(c)).isEmpty(); ) {
                    for (Inbox inbox : page) {
                        atomically(c, tx -> {
                            move(tx, inbox);
                            return null;
                        });
                    }
                    moved += page.size();
                }
                LOG.info("moved the global updates of {} records of {}", moved, description);
                execute(c, "ALTER TABLE " + PROFILES + " DROP COLUMN inbox");
            }
            if (hasColumn(c, "inbox_version")) {
                execute(c, "ALTER TABLE " + PROFILES + " DROP COLUMN inbox_version");
            }
        }

        private void addColumn(Connection c, String column, String type) throws SQLException {
            if (!hasColumn(c, column)) {
                execute(c, "ALTER TABLE " + PROFILES + " ADD COLUMN " + column + " " + type);
            }
        }
    }

    /** One record's layout-1 inbox and payload. */
    private record Inbox(String store, String key, byte[] inbox, byte[] payload) {}

    private static List<Inbox> inboxes(Connection c) throws SQLException {
        List<Inbox> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(
                        c,
                        "SELECT store, pkey, inbox, payload FROM " + PROFILES
                                + " WHERE inbox IS NOT NULL ORDER BY store, pkey LIMIT " + PAGE);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Inbox(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4)));
            }
        }
        return out;
    }

    /**
     * Moves one inbox: its Active updates become rows, the sequence continues after every id the
     * record used (the inbox's {@code next}, and the Locked updates of its payload), the column is
     * emptied. An unreadable inbox is quarantined instead.
     */
    private void move(Connection c, Inbox inbox) throws SQLException {
        long seq = 0;
        int pending = 0;
        try {
            LayoutOneInbox old = LayoutOneInbox.parse(inbox.inbox(), inbox.payload());
            for (PendingUpdate u : old.active()) {
                try (PreparedStatement ps = prepare(
                        c,
                        "INSERT INTO " + UPDATES + " (store, pkey, id, version, token, data)"
                                + " VALUES (?, ?, ?, 1, ?, ?)",
                        inbox.store(),
                        inbox.key(),
                        u.id(),
                        LayoutOneInbox.token(u.id()),
                        u.data())) {
                    ps.executeUpdate();
                }
            }
            seq = old.seq();
            pending = old.active().size();
        } catch (IOException e) {
            seq = LayoutOneInbox.maxLockedId(inbox.payload());
            LOG.warn(
                    "the inbox of {}/{} in {} is not a readable layout-1 inbox ({}); it is copied to {} and dropped",
                    inbox.store(),
                    inbox.key(),
                    description,
                    e.getMessage(),
                    QUARANTINE);
            try (PreparedStatement ps = prepare(
                    c,
                    "INSERT INTO " + QUARANTINE + " (store, pkey, payload, reason, at_millis) VALUES (?, ?, ?, ?, ?)",
                    inbox.store(),
                    inbox.key(),
                    inbox.inbox(),
                    "layout 2 upgrade: unreadable inbox",
                    System.currentTimeMillis())) {
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = prepare(
                c,
                "UPDATE " + PROFILES + " SET update_seq = ?, update_pending = ?, inbox = NULL"
                        + " WHERE store = ? AND pkey = ?",
                seq,
                pending,
                inbox.store(),
                inbox.key())) {
            ps.executeUpdate();
        }
    }

    private static boolean hasColumn(Connection c, String column) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        for (String table : List.of(PROFILES, PROFILES.toUpperCase(java.util.Locale.ROOT))) {
            try (ResultSet rs = md.getColumns(c.getCatalog(), c.getSchema(), table, null)) {
                while (rs.next()) {
                    if (rs.getString("COLUMN_NAME").equalsIgnoreCase(column)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Runs {@code work} in the caller's transaction if there is one, else in a transaction of its own. */
    private static void atomically(Connection c, JdbcBackend.SqlWork<Void> work) throws SQLException {
        if (!c.getAutoCommit()) {
            work.run(c);
        } else {
            JdbcConnections.inTransaction(c, work);
        }
    }
}
