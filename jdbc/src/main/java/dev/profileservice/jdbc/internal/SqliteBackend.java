package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcConnections.execute;
import static dev.profileservice.jdbc.internal.JdbcConnections.inTransaction;

import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * SQLite (3.35+, as bundled by sqlite-jdbc): one file shared by every process on the host, in WAL
 * mode with a busy timeout, each operation one autocommit statement ({@code INSERT ... ON CONFLICT
 * ... RETURNING}); SQLite serialises writers across processes with its file lock, so the conditional
 * writes stay atomic between JVMs. Messages go through the polled table ({@link PolledTableBus}).
 *
 * <p>A {@link #saveBatch} chunk is one {@code BEGIN IMMEDIATE ... COMMIT} on one connection holding
 * the single-save statement of every item ({@link #saveEach}). SQLite runs in this process, so a
 * statement costs microseconds and what a batch shares is the commit with its fsync, the expensive
 * part of a save. The chunk runs under this JVM's write lock for the file ({@link #write}), and
 * {@code BEGIN IMMEDIATE} takes the file's write lock against other processes for the whole chunk.
 */
public final class SqliteBackend extends ReturningBackend {
    /** This host's clock, read by SQLite inside the statement (3.42+; the driver bundles 3.50). */
    static final String NOW_MILLIS = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

    private final long pollMillis;

    /** One fair write lock per database file in this JVM, shared by every backend object on it. */
    private static final java.util.Map<String, java.util.concurrent.locks.Lock> WRITE_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param file the canonical path of the database file (the key of the JVM-wide write lock)
     */
    public SqliteBackend(Pool pool, String file, long pollMillis, long busyTimeoutMillis) {
        // every process on the file runs on this host, so they share its clock
        this(pool, file, pollMillis, busyTimeoutMillis, NOW_MILLIS, LeaseClock.HOST);
    }

    /**
     * A backend whose leases run by {@code nowMillis} (the simulation's {@value Opener#SIM_NOW}, a
     * function its connections define over a virtual clock) rather than by the host's clock.
     */
    SqliteBackend(Pool pool, String file, long pollMillis, long busyTimeoutMillis, String nowMillis, LeaseClock clock) {
        super(pool, nowMillis, clock);
        this.pollMillis = pollMillis;
        serializeWrites(
                WRITE_LOCKS.computeIfAbsent(file, f -> new java.util.concurrent.locks.ReentrantLock(true)),
                Math.max(busyTimeoutMillis, 1_000));
        start();
    }

    /** TEXT compares byte-wise (SQLite's BINARY collation) already. */
    private static final JdbcLayout.Ddl DDL = JdbcLayout.standard(
            "TEXT",
            "BLOB",
            "INTEGER",
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "",
            // SQLite's triggers cannot change NEW: AFTER triggers copy the row and clear the column
            List.of(
                    "CREATE TRIGGER IF NOT EXISTS ps_profiles_keep_version AFTER UPDATE OF keep_as ON "
                            + PROFILES + " WHEN NEW.keep_as IS NOT NULL BEGIN "
                            + JdbcLayout.insertVersion(NOW_MILLIS, "length") + "; UPDATE " + PROFILES
                            + " SET keep_as = NULL WHERE store = NEW.store AND pkey = NEW.pkey; END",
                    "CREATE TRIGGER IF NOT EXISTS ps_profiles_user_ids AFTER UPDATE OF user_ids_set ON "
                            + PROFILES + " WHEN NEW.user_ids_set IS NOT NULL BEGIN "
                            + JdbcLayout.rewriteUserIds("json_each(NEW.user_ids_set)", "CAST(value AS INTEGER)")
                            + "; UPDATE " + PROFILES
                            + " SET user_ids_set = NULL WHERE store = NEW.store AND pkey = NEW.pkey; END"));

    @Override
    protected JdbcLayout.Ddl tables() {
        return DDL;
    }

    /**
     * One transaction: the connections begin transactions as {@code BEGIN IMMEDIATE}, which takes the
     * file's write lock, so two processes creating the tables at once run one after the other.
     */
    @Override
    protected void underSchemaLock(Connection c, SqlWork<Void> work) throws SQLException {
        inTransaction(c, work);
    }

    /**
     * 64: a batch holds the database's write lock (for every process on the file) while its
     * statements run, so other writers (acquires, gifts, other servers' saves) wait for the whole
     * batch. Measured with 2 KB payloads and {@code synchronous=FULL}: about 20 us per item at 64
     * (a batch holds the lock for about 1.3 ms) against 200 to 270 us for single saves, and 15 to
     * 17 us at 128 or 256, which would double or quadruple that wait for little gain.
     */
    @Override
    public int maxBatchSize() {
        return 64;
    }

    /**
     * {@code BEGIN IMMEDIATE}, the items, {@code COMMIT}, sent as plain statements while the
     * driver stays in autocommit mode: sqlite-jdbc's {@code commit()} would at once begin the next
     * immediate transaction, taking the file's write lock again (and possibly waiting for another
     * process) after the batch is already durable. On failure {@code ROLLBACK}, so the pooled
     * connection never keeps a transaction open.
     */
    @Override
    protected List<SaveResult> saveChunk(Connection c, List<SaveItem> chunk) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                List<SaveResult> results = saveEach(c, chunk);
                st.execute("COMMIT");
                return results;
            } catch (SQLException | RuntimeException e) {
                try {
                    st.execute("ROLLBACK");
                } catch (SQLException | RuntimeException ignored) {
                    // SQLite already rolled back (e.g. after an I/O error), or the connection is gone
                }
                throw e;
            }
        }
    }

    /**
     * {@code BEGIN IMMEDIATE} (the file's write lock, so every other writer, in any process, waits),
     * then the row, created first when asked. Inbox writers run under this JVM's write lock too
     * ({@link #write}).
     */
    @Override
    protected Locked lockRecord(Connection c, String op, String store, String key, boolean create) throws SQLException {
        execute(c, "BEGIN IMMEDIATE");
        return lockedRow(c, op, create ? CREATE_OR_TOUCH : SELECT_ROW, store, key);
    }

    @Override
    protected MessageBus createBus() {
        return new PolledTableBus(this, pollMillis);
    }
}
