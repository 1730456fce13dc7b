package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcConnections.prepare;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * MariaDB 10.5+ and MySQL 8.0+ (through the MariaDB driver). These have no {@code UPDATE ...
 * RETURNING}, so each atomic operation is sent as <b>one multi-statement text</b> (one round trip;
 * the connection must allow multi-statement queries: {@code allowMultiQueries=true}):
 * <pre>
 * SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION;
 * UPDATE ps_profiles SET ... WHERE ... (the condition);     -- the conditional write, row-locked
 * SET @ps_n = ROW_COUNT();
 * [INSERT IGNORE INTO ps_profiles ... SELECT ... FROM DUAL WHERE @ps_n = 0;   -- create a missing row
 *  SET @ps_n = @ps_n + ROW_COUNT();]                                          -- (acquire, an inbox writer's lock)
 * SELECT @ps_n AS changed, columns FROM ps_profiles WHERE ...; -- the row after, under the same lock
 * COMMIT
 * </pre>
 * The row lock is always taken by the UPDATE first (never a shared lock upgraded later, which is
 * how {@code INSERT ... ON DUPLICATE KEY UPDATE} deadlocks), and read committed takes no gap locks,
 * so two of these texts on one key wait for each other instead of deadlocking.
 * Every conditional write changes at least one column ({@code epoch} or {@code revision}), so
 * {@code ROW_COUNT()} is 1 exactly when the condition held, whether the driver reports found or
 * affected rows. The inbox writers' lock ({@link #LOCK_OR_CREATE}) writes its row unchanged (the
 * revision counts payload writes only): where the driver reports affected rows its
 * {@code INSERT IGNORE} then finds the row it already holds locked, and does nothing. When a statement fails the server stops the text; the
 * backend then sends {@code ROLLBACK} on the same connection before returning it to the pool.
 * Messages go through the polled table ({@link PolledTableBus}).
 *
 * <p>A {@link #saveBatch} chunk is one text of the same kind: every item's conditional UPDATE
 * followed by {@code SET @ps_b<i> = ROW_COUNT()}, then one {@code SELECT ... UNION ALL ...} that
 * returns each item's index, its flag and its row after the write, then {@code COMMIT}. So a batch
 * is one round trip whatever its outcomes, and a refused item is judged from the row read in the
 * same transaction, as a single save is. The items arrive sorted by primary key, so two batches
 * lock their rows in the same order.
 */
public final class MariadbBackend extends JdbcBackend {
    /** Read committed: no gap locks (so creating a new row cannot deadlock), and a refused UPDATE keeps no lock. */
    private static final String BEGIN = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION; ";

    private static final String AFTER =
            "; SELECT @ps_n AS changed, %s FROM " + PROFILES + " WHERE store = ? AND pkey = ?; COMMIT";
    /** Takes the row; one without payload gets the initial one (a first load). */
    private static final String ACQUIRE_SET =
            "UPDATE " + PROFILES + " SET epoch = epoch + 1, owner_server = ?, owner_place = ?, owner_job = ?,"
                    + " payload = COALESCE(payload, ?) WHERE store = ? AND pkey = ?";
    /** Creates the row taken by {@code me} when the UPDATE before it changed nothing and the row is missing. */
    private static final String ACQUIRE_CREATE = "; SET @ps_n = ROW_COUNT(); INSERT IGNORE INTO " + PROFILES
            + " (store, pkey, payload, epoch, owner_server, owner_place, owner_job) SELECT ?, ?, ?, 1, ?, ?, ? FROM DUAL WHERE @ps_n = 0;"
            + " SET @ps_n = @ps_n + ROW_COUNT()";

    private static final String ACQUIRE_FREE =
            BEGIN + ACQUIRE_SET + " AND owner_server IS NULL" + ACQUIRE_CREATE + AFTER.formatted(COLS);
    private static final String ACQUIRE_EPOCH_ZERO =
            BEGIN + ACQUIRE_SET + " AND epoch = 0" + ACQUIRE_CREATE + AFTER.formatted(COLS);
    private static final String ACQUIRE_EPOCH =
            BEGIN + ACQUIRE_SET + " AND epoch = ?; SET @ps_n = ROW_COUNT()" + AFTER.formatted(COLS);
    /** The row of a record, locked: the end of both {@link #lockRecord} texts. */
    private static final String LOCK_ROW =
            "SELECT " + COLS_NO_PAYLOAD + " FROM " + PROFILES + " WHERE store = ? AND pkey = ? FOR UPDATE";
    /**
     * Begins the inbox writer's transaction and locks the row by writing it (creating it when
     * missing), the same order of locks as {@link #ACQUIRE_FREE}: never a shared lock upgraded.
     */
    private static final String LOCK_OR_CREATE =
            BEGIN + "UPDATE " + PROFILES + " SET update_seq = update_seq WHERE store = ? AND pkey = ?;"
                    + " SET @ps_n = ROW_COUNT(); INSERT IGNORE INTO " + PROFILES
                    + " (store, pkey, epoch) SELECT ?, ?, 0 FROM DUAL WHERE @ps_n = 0; "
                    + LOCK_ROW;

    private static final String LOCK = BEGIN + LOCK_ROW;
    private static final String FORCE_RELEASE = BEGIN + "UPDATE " + PROFILES
            + " SET epoch = epoch + 1, owner_server = NULL, owner_place = NULL, owner_job = NULL WHERE store = ? AND pkey = ?;"
            + " SET @ps_n = ROW_COUNT()" + AFTER.formatted(COLS);
    /**
     * The database server's clock in epoch milliseconds, free of the session's time zone (so no
     * daylight-saving hour is ever counted twice).
     */
    static final String NOW_MILLIS = "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)";

    private static final String HEARTBEAT =
            "INSERT INTO " + SERVERS + " (server_id, place_id, job_id, expires_at) VALUES (?, ?, ?, " + NOW_MILLIS
                    + " + ?) ON DUPLICATE KEY UPDATE place_id = VALUES(place_id), job_id = VALUES(job_id), expires_at = VALUES(expires_at)";
    /** The single-save texts, indexed by {@link FencedSave#variant}. */
    private static final String[] SAVE = FencedSave.statements(
            update -> BEGIN + update + "; SET @ps_n = ROW_COUNT()" + AFTER.formatted(COLS_NO_PAYLOAD));

    private final long pollMillis;
    /** The server's {@code max_allowed_packet}, read at start; bounds the text of a batch. */
    private volatile long maxAllowedPacket = 16L << 20;

    public MariadbBackend(Pool pool, long pollMillis) {
        super(pool, NOW_MILLIS, LeaseClock.STORE);
        this.pollMillis = pollMillis;
        start();
    }

    private static final String BIN = " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
    private static final String STORE = " VARCHAR(50) CHARACTER SET ascii COLLATE ascii_bin NOT NULL";
    private static final String PKEY = " VARCHAR(200)" + BIN + " NOT NULL";
    private static final JdbcLayout.Ddl DDL = new JdbcLayout.Ddl(
            "CREATE TABLE IF NOT EXISTS " + SCHEMA
                    + " (component VARCHAR(50) NOT NULL PRIMARY KEY, version INT NOT NULL) ENGINE=InnoDB",
            List.of(
                    "CREATE TABLE IF NOT EXISTS " + PROFILES + " (store" + STORE + ", pkey" + PKEY + ","
                            + " payload LONGBLOB NULL, epoch BIGINT NOT NULL DEFAULT 0,"
                            + " owner_server VARCHAR(255)" + BIN + " NULL, owner_place TEXT" + BIN
                            + " NULL, owner_job TEXT" + BIN + " NULL,"
                            + " update_seq BIGINT NOT NULL DEFAULT 0, update_pending INT NOT NULL DEFAULT 0, revision BIGINT NOT NULL DEFAULT 0,"
                            // no secondary index: an UPDATE that finds its row through one locks index
                            // records in another order than one through the primary key, and deadlocks
                            + " PRIMARY KEY (store, pkey)) ENGINE=InnoDB",
                    "CREATE TABLE IF NOT EXISTS " + SERVERS + " (server_id VARCHAR(255)" + BIN
                            + " NOT NULL PRIMARY KEY," + " place_id TEXT" + BIN + " NULL, job_id TEXT" + BIN
                            + " NULL, expires_at BIGINT NOT NULL) ENGINE=InnoDB",
                    "CREATE TABLE IF NOT EXISTS " + QUARANTINE + " (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                            + " store" + STORE + ", pkey" + PKEY + ","
                            + " payload LONGBLOB NOT NULL, reason TEXT" + BIN + " NOT NULL, at_millis BIGINT NOT NULL,"
                            + " KEY ps_quarantine_key (store, pkey)) ENGINE=InnoDB",
                    "CREATE TABLE IF NOT EXISTS " + MESSAGES + " (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                            + " target VARCHAR(255)" + BIN + " NOT NULL, body TEXT" + BIN
                            + " NOT NULL, created_at BIGINT NOT NULL,"
                            + " KEY ps_messages_target (target, id)) ENGINE=InnoDB"),
            // the token column holds UpdateOp.Add.MAX_TOKEN_LENGTH characters
            List.of("CREATE TABLE IF NOT EXISTS " + UPDATES + " (store" + STORE + ", pkey" + PKEY + ","
                    + " id BIGINT NOT NULL, version BIGINT NOT NULL, token VARCHAR(128)" + BIN + " NOT NULL,"
                    + " data LONGBLOB NULL, consumed_at BIGINT NULL,"
                    + " PRIMARY KEY (store, pkey, id), UNIQUE KEY ps_updates_token (store, pkey, token),"
                    + " KEY ps_updates_consumed (store, pkey, consumed_at)) ENGINE=InnoDB"),
            List.of("keep_as VARCHAR(20) CHARACTER SET ascii NULL", "user_ids_set TEXT CHARACTER SET ascii NULL"),
            List.of(
                    "CREATE TABLE IF NOT EXISTS " + VERSIONS + " (store" + STORE + ", pkey" + PKEY + ","
                            + " revision BIGINT NOT NULL, saved_at BIGINT NOT NULL,"
                            + " cause VARCHAR(20) CHARACTER SET ascii NOT NULL,"
                            + " writer_server VARCHAR(255)" + BIN + " NULL, writer_place TEXT" + BIN
                            + " NULL, writer_job TEXT" + BIN + " NULL, payload_size BIGINT NOT NULL,"
                            + " pinned TINYINT NOT NULL DEFAULT 0, payload LONGBLOB NOT NULL,"
                            + " PRIMARY KEY (store, pkey, revision)) ENGINE=InnoDB",
                    "CREATE TABLE IF NOT EXISTS " + USER_IDS + " (store" + STORE + ", user_id BIGINT NOT NULL,"
                            + " pkey" + PKEY + ", PRIMARY KEY (store, user_id, pkey),"
                            + " KEY ps_user_ids_key (store, pkey)) ENGINE=InnoDB",
                    "DROP TRIGGER IF EXISTS ps_profiles_keep_version",
                    "CREATE TRIGGER ps_profiles_keep_version BEFORE UPDATE ON " + PROFILES
                            + " FOR EACH ROW BEGIN IF NEW.keep_as IS NOT NULL THEN "
                            + JdbcLayout.insertVersion(NOW_MILLIS, "LENGTH")
                            + "; SET NEW.keep_as = NULL; END IF; IF NEW.user_ids_set IS NOT NULL THEN "
                            + JdbcLayout.rewriteUserIds(
                                    "JSON_TABLE(NEW.user_ids_set, '$[*]' COLUMNS (id BIGINT PATH '$')) AS jt", "jt.id")
                            + "; SET NEW.user_ids_set = NULL; END IF; END"));

    /** Multi-statement queries must be allowed; learns {@code max_allowed_packet}, which bounds a batch's text. */
    @Override
    protected void checkConnection(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT 1; SELECT 2");
            while (st.getMoreResults() || st.getUpdateCount() != -1) {
                // drain
            }
        } catch (SQLException e) {
            if (SqlErrors.isTransient(e)) {
                throw e;
            }
            throw new BackendException(
                    describe() + " does not accept multi-statement queries (" + scrub(e.getMessage())
                            + "); set allowMultiQueries=true on the connection (the URI form sets it for you)",
                    false,
                    e);
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT @@max_allowed_packet")) {
            if (rs.next() && rs.getLong(1) > 0) {
                maxAllowedPacket = rs.getLong(1);
            }
        }
    }

    @Override
    protected JdbcLayout.Ddl tables() {
        return DDL;
    }

    /** {@code GET_LOCK}, a named lock of the server held by this connection. MariaDB's DDL commits at once: see {@link JdbcLayout}. */
    @Override
    protected void underSchemaLock(Connection c, SqlWork<Void> work) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT GET_LOCK('profileservice_schema', 30)")) {
            if (!rs.next() || rs.getInt(1) != 1) {
                throw new BackendException(
                        "timed out waiting for the schema lock 'profileservice_schema' on " + describe(), true);
            }
        }
        try {
            work.run(c);
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("DO RELEASE_LOCK('profileservice_schema')");
            }
        }
    }

    @Override
    protected MessageBus createBus() {
        return new PolledTableBus(this, pollMillis);
    }

    /** Reads one row of a multi-statement operation: {@code changed} and the record columns. */
    @FunctionalInterface
    private interface RowReader<R> {
        R read(boolean found, boolean changed, ResultSet rs) throws SQLException;
    }

    /** Reads the single result set of a multi-statement text. */
    @FunctionalInterface
    private interface ResultReader<R> {
        R read(ResultSet rs) throws SQLException;
    }

    /** Like {@link #send}, for the texts whose result set is one row: {@code changed} and the record. */
    private <R> R transact(Connection c, String op, String sql, RowReader<R> reader, Object... args)
            throws SQLException {
        return send(
                c,
                op,
                sql,
                rs -> {
                    boolean found = rs.next();
                    return reader.read(found, found && rs.getLong("changed") > 0, rs);
                },
                args);
    }

    /**
     * Sends one multi-statement text (one round trip), reads its single result set, drains the rest,
     * and rolls back on failure so that no transaction stays open on the pooled connection.
     */
    private <R> R send(Connection c, String op, String sql, ResultReader<R> reader, Object... args)
            throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            roundTrip(op);
            boolean isResultSet = ps.execute();
            R result = null;
            boolean read = false;
            while (true) {
                if (isResultSet) {
                    try (ResultSet rs = ps.getResultSet()) {
                        if (!read) {
                            result = reader.read(rs);
                            read = true;
                        }
                    }
                } else if (ps.getUpdateCount() == -1) {
                    break;
                }
                isResultSet = ps.getMoreResults();
            }
            if (!read) {
                throw new SQLException("no result set from " + op + " (is allowMultiQueries enabled?)", "HY000");
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            try (Statement st = c.createStatement()) {
                st.execute("ROLLBACK");
            } catch (SQLException | RuntimeException ignored) {
                // the connection is gone; the pool discards it
            }
            throw e;
        }
    }

    /** What an acquire text answers: whether it took the record, the record, and how many updates it has pending. */
    private record Acquired(boolean acquired, StoredProfile record, long pending) {}

    /** The text, then (only when the record has pending updates) a second round trip for them. */
    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        return write("acquire", c -> {
            RowReader<Acquired> r = (found, changed, rs) -> found
                    ? new Acquired(changed, record(rs, true), rs.getLong("update_pending"))
                    : new Acquired(false, StoredProfile.ABSENT, 0);
            // ACQUIRE_SET's parameters, then the creation's (free or epoch 0) or the epoch's, then the row after
            List<Object> args =
                    new ArrayList<>(List.of(me.serverId(), me.placeId(), me.jobId(), initialPayload, store, key));
            boolean mayCreate = expectedEpoch == -1 || expectedEpoch == 0;
            if (mayCreate) {
                args.addAll(List.of(store, key, initialPayload, me.serverId(), me.placeId(), me.jobId()));
            } else {
                args.add(expectedEpoch);
            }
            args.addAll(List.of(store, key));
            String sql = expectedEpoch == -1 ? ACQUIRE_FREE : expectedEpoch == 0 ? ACQUIRE_EPOCH_ZERO : ACQUIRE_EPOCH;
            Acquired a = transact(c, "acquire", sql, r, args.toArray());
            return new AcquireResult(
                    a.acquired(),
                    a.acquired() ? inbox.withPending(c, "acquire", store, key, a.record(), a.pending()) : a.record());
        });
    }

    @Override
    protected SaveResult savePlain(Connection c, String store, String key, SaveRequest w) throws SQLException {
        RowReader<SaveResult> r = (found, changed, rs) -> new SaveResult(
                changed ? SaveResult.Status.SAVED : SaveResult.Status.LOST_SESSION,
                found ? record(rs, false) : StoredProfile.ABSENT);
        List<Object> args = new ArrayList<>(7);
        FencedSave.addArgs(args, store, key, w);
        args.add(store); // the row after, for AFTER
        args.add(key);
        return transact(c, "save", SAVE[FencedSave.variant(w)], r, args.toArray());
    }

    /** One text: begin (read committed), lock the row (creating it first when asked). */
    @Override
    protected Locked lockRecord(Connection c, String op, String store, String key, boolean create) throws SQLException {
        ResultReader<Locked> r = rs -> rs.next() ? locked(rs) : new Locked(0, null, 0, 0, 0);
        return create
                ? send(c, op, LOCK_OR_CREATE, r, store, key, store, key, store, key)
                : send(c, op, LOCK, r, store, key);
    }

    /**
     * 64: a text of 64 saves of a few KB is a few hundred KB, far below {@code max_allowed_packet}
     * (16 MiB by default; chunks are also cut by bytes, see {@link #maxBatchBytes()}). The server
     * still runs one UPDATE per item, so what a batch shares is the round trip and the commit's log
     * flush: measured with 2 KB payloads, about 125 us per item at 32 to 256 items against 470 us
     * for single saves, so larger batches gain nothing while their row locks are held until the
     * {@code COMMIT} and every save of the batch waits for the last.
     */
    @Override
    public int maxBatchSize() {
        return 64;
    }

    /**
     * Half of {@code max_allowed_packet} less 64 KiB: the driver sends bytes inside the text as
     * escaped literals, up to twice their size, and the whole text must fit in one packet.
     */
    @Override
    protected long maxBatchBytes() {
        return Math.max(64L << 10, (maxAllowedPacket - (64L << 10)) / 2);
    }

    /** One multi-statement text for the chunk: every UPDATE with its flag, one SELECT of all rows, COMMIT. */
    @Override
    protected List<SaveResult> saveChunk(Connection c, List<SaveItem> chunk) throws SQLException {
        int n = chunk.size();
        StringBuilder sql = new StringBuilder(BEGIN.length() + n * 400);
        sql.append(BEGIN);
        List<Object> args = new ArrayList<>(n * 9);
        for (int i = 0; i < n; i++) {
            SaveItem item = chunk.get(i);
            sql.append(FencedSave.update(item.request()))
                    .append("; SET @ps_b")
                    .append(i)
                    .append(" = ROW_COUNT(); ");
            FencedSave.addArgs(args, item.store(), item.key(), item.request());
        }
        for (int i = 0; i < n; i++) {
            sql.append(i == 0 ? "" : " UNION ALL ")
                    .append("SELECT ")
                    .append(i)
                    .append(" AS item, @ps_b")
                    .append(i)
                    .append(" AS changed, ")
                    .append(COLS_NO_PAYLOAD)
                    .append(" FROM ")
                    .append(PROFILES)
                    .append(" WHERE store = ? AND pkey = ?");
            args.add(chunk.get(i).store());
            args.add(chunk.get(i).key());
        }
        sql.append("; COMMIT");
        return send(
                c,
                "saveBatch",
                sql.toString(),
                rs -> {
                    SaveResult[] out = new SaveResult[n];
                    while (rs.next()) {
                        int i = rs.getInt("item");
                        StoredProfile now = record(rs, false);
                        out[i] = new SaveResult(
                                rs.getLong("changed") > 0 ? SaveResult.Status.SAVED : SaveResult.Status.LOST_SESSION,
                                now);
                    }
                    for (int i = 0; i < n; i++) {
                        if (out[i] == null) {
                            // no row: the record does not exist, so nothing was written
                            out[i] = new SaveResult(SaveResult.Status.LOST_SESSION, StoredProfile.ABSENT);
                        }
                    }
                    return List.of(out);
                },
                args.toArray());
    }

    @Override
    protected StoredProfile forceRelease(String store, String key) {
        return write(
                "forceRelease",
                c -> transact(
                        c,
                        "forceRelease",
                        FORCE_RELEASE,
                        (found, changed, rs) -> changed ? record(rs, true) : StoredProfile.ABSENT,
                        store,
                        key,
                        store,
                        key));
    }

    @Override
    protected String heartbeatUpsert() {
        return HEARTBEAT;
    }
}
