package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcConnections.inTransaction;
import static dev.profileservice.jdbc.internal.JdbcConnections.prepare;

import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL (12+): one statement per operation ({@code INSERT ... ON CONFLICT ... RETURNING},
 * {@code UPDATE ... RETURNING}); messages through LISTEN/NOTIFY ({@link PgNotifyBus}).
 *
 * <p>A {@link #saveBatch} chunk is one statement: the items travel as parallel arrays, one per
 * field, and {@code UPDATE ps_profiles p ... FROM unnest(...) AS v ... RETURNING} applies each
 * item's fence and release to its own row. A row whose condition fails is simply not
 * updated, so items succeed or are refused independently; only an error fails the whole
 * statement. Items whose row is not returned lost their session; one more statement reads all of
 * them to report who holds them now. (A multi-row {@code VALUES} list measured the same; the arrays
 * keep one statement text, prepared once per connection, for every batch size.)
 */
public final class PostgresBackend extends ReturningBackend {
    private static final long SCHEMA_LOCK_ID = 0x5053_6368_656d_61L; // "PSchema"
    /** The database server's clock at the moment of the statement (not of its transaction's start). */
    static final String NOW_MILLIS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    /**
     * The batch save. {@code v.store} and {@code v.pkey} come from {@code text[]} parameters in the
     * database's default collation; comparing them under {@code COLLATE "C"} (the key columns'
     * collation) keeps the comparison byte-wise and lets the primary key index serve the join.
     * {@code v.rel} releases. Each row gets exactly the condition and writes of {@link FencedSave}'s
     * single UPDATE, as columns of the arrays instead of separate statement texts.
     */
    private static final String SAVE_BATCH = "UPDATE " + PROFILES
            + " AS p SET payload = v.payload, revision = p.revision + 1, keep_as = v.keep, user_ids_set = v.ids,"
            + " owner_server = CASE WHEN v.rel THEN NULL ELSE p.owner_server END,"
            + " owner_place = CASE WHEN v.rel THEN NULL ELSE p.owner_place END,"
            + " owner_job = CASE WHEN v.rel THEN NULL ELSE p.owner_job END"
            + " FROM unnest(?::text[], ?::text[], ?::bytea[], ?::int8[], ?::text[], ?::bool[], ?::text[], ?::text[])"
            + " AS v(store, pkey, payload, epoch, srv, rel, keep, ids)"
            + " WHERE p.store = v.store COLLATE \"C\" AND p.pkey = v.pkey COLLATE \"C\""
            + " AND p.epoch = v.epoch AND p.owner_server = v.srv"
            + " RETURNING p.store, p.pkey, p.epoch, p.owner_server, p.owner_place, p.owner_job, p.update_seq, p.update_pending,"
            + " p.revision";
    /** The records of the refused items of a batch, as they are now. */
    private static final String SELECT_BATCH = "SELECT p.store, p.pkey, p." + COLS_NO_PAYLOAD.replace(", ", ", p.")
            + " FROM " + PROFILES + " AS p JOIN unnest(?::text[], ?::text[]) AS v(store, pkey)"
            + " ON p.store = v.store COLLATE \"C\" AND p.pkey = v.pkey COLLATE \"C\"";

    private final DirectConnections listenConnections;

    /**
     * @param listenConnections opens the dedicated connection the bus LISTENs on (outside the pool
     *                          when this backend made the pool)
     */
    public PostgresBackend(Pool pool) {
        super(pool, NOW_MILLIS, LeaseClock.STORE);
        this.listenConnections = pool.direct();
        start();
    }

    /** Keys compare byte-wise ({@code COLLATE "C"}), as in every store; profile rows leave room for HOT updates. */
    private static final JdbcLayout.Ddl DDL = JdbcLayout.standard(
            "TEXT COLLATE \"C\"",
            "BYTEA",
            "BIGINT",
            "BIGSERIAL PRIMARY KEY",
            " WITH (fillfactor = 80)",
            List.of(
                    "CREATE OR REPLACE FUNCTION ps_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$"
                            + " BEGIN IF NEW.keep_as IS NOT NULL THEN "
                            + JdbcLayout.insertVersion(NOW_MILLIS, "octet_length")
                            + "; NEW.keep_as := NULL; END IF; IF NEW.user_ids_set IS NOT NULL THEN "
                            + JdbcLayout.rewriteUserIds(
                                    "jsonb_array_elements_text(NEW.user_ids_set::jsonb) AS j(id)", "j.id::bigint")
                            + "; NEW.user_ids_set := NULL; END IF; RETURN NEW; END $$",
                    "DROP TRIGGER IF EXISTS ps_profiles_keep_version ON " + PROFILES,
                    "CREATE TRIGGER ps_profiles_keep_version BEFORE UPDATE ON " + PROFILES
                            + " FOR EACH ROW EXECUTE FUNCTION ps_keep_version()"));

    @Override
    protected JdbcLayout.Ddl tables() {
        return DDL;
    }

    /** One transaction holding a transaction-level advisory lock: PostgreSQL's DDL is transactional, so it commits all or nothing. */
    @Override
    protected void underSchemaLock(Connection c, SqlWork<Void> work) throws SQLException {
        inTransaction(c, tx -> {
            try (PreparedStatement ps = tx.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, SCHEMA_LOCK_ID);
                ps.execute();
            }
            return work.run(tx);
        });
    }

    /**
     * 64: one statement of 64 saves of a few KB is a few hundred KB of parameters, planned as a
     * join of the arrays with the primary key. Measured with 2 KB payloads: about 50 us per item at
     * 64 against 330 us for single saves, and within noise of that at 128 or 256; larger batches
     * hold their row locks longer and make every save of the batch wait for the last.
     */
    @Override
    public int maxBatchSize() {
        return 64;
    }

    /** One {@code UPDATE ... FROM unnest(...) RETURNING} for the chunk; see {@link #SAVE_BATCH}. */
    @Override
    protected List<SaveResult> saveChunk(Connection c, List<SaveItem> chunk) throws SQLException {
        int n = chunk.size();
        String[] stores = new String[n];
        String[] keys = new String[n];
        byte[][] payloads = new byte[n][];
        Long[] epochs = new Long[n];
        String[] servers = new String[n];
        Boolean[] releases = new Boolean[n];
        String[] keeps = new String[n];
        String[] ids = new String[n];
        Map<Address, Integer> index = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            SaveItem item = chunk.get(i);
            SaveRequest w = item.request();
            stores[i] = item.store();
            keys[i] = item.key();
            payloads[i] = w.payload();
            epochs[i] = w.epoch();
            servers[i] = w.serverId();
            releases[i] = w.release();
            keeps[i] = FencedSave.keepAs(w);
            ids[i] = w.userIdsJson();
            index.put(new Address(item.store(), item.key()), i);
        }
        SaveResult[] out = new SaveResult[n];
        try (PreparedStatement ps = c.prepareStatement(SAVE_BATCH)) {
            ps.setArray(1, c.createArrayOf("text", stores));
            ps.setArray(2, c.createArrayOf("text", keys));
            ps.setArray(3, c.createArrayOf("bytea", payloads));
            ps.setArray(4, c.createArrayOf("int8", epochs));
            ps.setArray(5, c.createArrayOf("text", servers));
            ps.setArray(6, c.createArrayOf("bool", releases));
            ps.setArray(7, c.createArrayOf("text", keeps));
            ps.setArray(8, c.createArrayOf("text", ids));
            roundTrip("saveBatch");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Integer i = index.get(new Address(rs.getString("store"), rs.getString("pkey")));
                    if (i == null || out[i] != null) {
                        throw new SQLException(
                                "saveBatch: the database returned a row that is not in the batch or returned it twice: "
                                        + rs.getString("store") + "/" + rs.getString("pkey"),
                                "XX000");
                    }
                    out[i] = new SaveResult(SaveResult.Status.SAVED, record(rs, false));
                }
            }
        }
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (out[i] == null) {
                refused.add(i);
            }
        }
        if (!refused.isEmpty()) {
            String[] refusedStores = new String[refused.size()];
            String[] refusedKeys = new String[refused.size()];
            for (int j = 0; j < refused.size(); j++) {
                refusedStores[j] = stores[refused.get(j)];
                refusedKeys[j] = keys[refused.get(j)];
            }
            Map<Address, StoredProfile> now = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT_BATCH)) {
                ps.setArray(1, c.createArrayOf("text", refusedStores));
                ps.setArray(2, c.createArrayOf("text", refusedKeys));
                roundTrip("saveBatch");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        now.put(new Address(rs.getString("store"), rs.getString("pkey")), record(rs, false));
                    }
                }
            }
            for (int i : refused) {
                StoredProfile record = now.getOrDefault(new Address(stores[i], keys[i]), StoredProfile.ABSENT);
                out[i] = new SaveResult(SaveResult.Status.LOST_SESSION, record);
            }
        }
        return List.of(out);
    }

    /**
     * Turns autocommit off (pgjdbc sends the {@code BEGIN} with the first statement, no extra round
     * trip) and locks the row: an upsert that writes the sequence unchanged when creating is
     * allowed, else {@code SELECT ... FOR UPDATE}. Read committed, so every later statement of the
     * transaction reads what was committed before it began.
     */
    @Override
    protected Locked lockRecord(Connection c, String op, String store, String key, boolean create) throws SQLException {
        c.setAutoCommit(false);
        return lockedRow(c, op, create ? CREATE_OR_TOUCH : SELECT_ROW + " FOR UPDATE", store, key);
    }

    @Override
    protected void commit(Connection c, String op) throws SQLException {
        roundTrip(op);
        c.commit();
        c.setAutoCommit(true);
    }

    @Override
    protected void rollback(Connection c) {
        try {
            c.rollback();
            c.setAutoCommit(true);
        } catch (SQLException | RuntimeException e) {
            // the connection is broken; the pool tests and discards it
        }
    }

    /**
     * A send of adds in one statement: look up the tokens, upsert the record's row (which takes its
     * lock and reads its newest counters) raising the sequence and pending count by the fresh adds
     * unless that would pass the limit, insert the fresh adds numbered after the old sequence, and
     * return the id of every add in order; no row back means {@code FULL} (then the transaction decides again, naming the owner). The token lookup reads the
     * statement's snapshot, older than the lock: a racing add of the same token (a retry racing its
     * first try) then fails on the unique token key, and {@link #sendAdds} falls back to the
     * transaction, which reads after locking. Parameters: store, key, tokens, data, store, key,
     * store, key, limit, store, key.
     */
    private static final String SEND_ADDS = "WITH o AS (SELECT t.token, t.data, t.n FROM unnest(?::text[], ?::bytea[])"
            + " WITH ORDINALITY AS t(token, data, n)),"
            + " seen AS (SELECT o.n, u.id FROM o JOIN " + UPDATES
            + " u ON u.store = ? AND u.pkey = ? AND u.token = o.token),"
            + " fresh AS (SELECT o.token, o.data, o.n, row_number() OVER (ORDER BY o.n) AS r FROM o"
            + "   WHERE NOT EXISTS (SELECT 1 FROM seen WHERE seen.n = o.n)),"
            + " p AS (INSERT INTO " + PROFILES + " AS p (store, pkey, epoch, update_seq, update_pending)"
            + "   VALUES (?, ?, 0, (SELECT count(*) FROM fresh), (SELECT count(*) FROM fresh))"
            + "   ON CONFLICT (store, pkey) DO UPDATE SET update_seq = p.update_seq + (SELECT count(*) FROM fresh),"
            + "   update_pending = p.update_pending + (SELECT count(*) FROM fresh)"
            + "   WHERE p.update_pending + (SELECT count(*) FROM fresh) <= ? OR (SELECT count(*) FROM fresh) = 0"
            + "   RETURNING p.update_seq, p.owner_server, p.owner_place, p.owner_job),"
            + " ins AS (INSERT INTO " + UPDATES + " (store, pkey, id, version, token, data)"
            + "   SELECT ?, ?, p.update_seq - (SELECT count(*) FROM fresh) + f.r, 1, f.token, f.data FROM fresh f CROSS JOIN p)"
            + " SELECT p.owner_server, p.owner_place, p.owner_job,"
            + "   COALESCE(s.id, p.update_seq - (SELECT count(*) FROM fresh) + f.r) AS id"
            + " FROM p CROSS JOIN o LEFT JOIN seen s ON s.n = o.n LEFT JOIN fresh f ON f.n = o.n ORDER BY o.n";

    /**
     * Adds only, with distinct tokens and no more than the limit (a new record takes them all):
     * {@link #SEND_ADDS}, one round trip. Anything else, and a racing add of the same token, goes
     * through the transaction.
     */
    @Override
    protected SendResult sendAdds(Connection c, String store, String key, List<UpdateOp> ops, int maxPending)
            throws SQLException {
        List<String> tokens = new ArrayList<>(ops.size());
        List<byte[]> data = new ArrayList<>(ops.size());
        for (UpdateOp op : ops) {
            if (!(op instanceof UpdateOp.Add add)) {
                return null;
            }
            tokens.add(add.token());
            data.add(add.data());
        }
        if (ops.size() > maxPending || tokens.stream().distinct().count() != tokens.size()) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement(SEND_ADDS)) {
            ps.setArray(1, c.createArrayOf("text", tokens.toArray(String[]::new)));
            ps.setArray(2, c.createArrayOf("bytea", data.toArray(byte[][]::new)));
            ps.setString(3, store);
            ps.setString(4, key);
            ps.setString(5, store);
            ps.setString(6, key);
            ps.setInt(7, maxPending);
            ps.setString(8, store);
            ps.setString(9, key);
            roundTrip("sendUpdates");
            List<Long> ids = new ArrayList<>(ops.size());
            Owner owner = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    owner = owner(rs);
                    ids.add(rs.getLong("id"));
                }
            }
            // no row back: FULL, but the statement cannot say who holds the profile (a sender waits
            // for an online owner); the transaction decides again and says so
            return ids.isEmpty() ? null : new SendResult(SendResult.Status.APPLIED, List.copyOf(ids), owner);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return null; // the same token raced in: decide again after locking
            }
            throw e;
        }
    }

    /** A record's address, to match returned rows to batch items. */
    private record Address(String store, String key) {}

    @Override
    protected MessageBus createBus() {
        return new PgNotifyBus(this, listenConnections);
    }

    /** Sends one NOTIFY through the pool (one round trip, reported as {@code publish}). */
    void notify(String channel, String message) {
        withConnection("publish", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT pg_notify(?, ?)", channel, message)) {
                roundTrip("publish");
                ps.execute();
            }
            return null;
        });
    }
}
