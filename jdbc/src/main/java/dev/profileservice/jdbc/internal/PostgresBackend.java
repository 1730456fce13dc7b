package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;

import javax.sql.DataSource;
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
 * item's fence, inbox CAS and release to its own row. A row whose condition fails is simply not
 * updated, so items succeed or are refused independently; only an error fails the whole
 * statement. Items whose row is not returned were refused; one more statement reads all of them
 * to tell which refusal it was. (A multi-row {@code VALUES} list measured the same; the arrays
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
     * An item with a non-null {@code v.inbox} has the inbox CAS; {@code v.rel} releases. Each row
     * gets exactly the condition and writes of {@link FencedSave}'s single UPDATE, as columns of
     * the arrays instead of separate statement texts.
     */
    private static final String SAVE_BATCH = "UPDATE " + PROFILES + " AS p SET payload = v.payload, revision = p.revision + 1,"
            + " inbox = CASE WHEN v.inbox IS NULL THEN p.inbox ELSE v.inbox END,"
            + " inbox_version = CASE WHEN v.inbox IS NULL THEN p.inbox_version ELSE p.inbox_version + 1 END,"
            + " owner_server = CASE WHEN v.rel THEN NULL ELSE p.owner_server END,"
            + " owner_place = CASE WHEN v.rel THEN NULL ELSE p.owner_place END,"
            + " owner_job = CASE WHEN v.rel THEN NULL ELSE p.owner_job END"
            + " FROM unnest(?::text[], ?::text[], ?::bytea[], ?::int8[], ?::text[], ?::bool[], ?::int8[], ?::bytea[])"
            + " AS v(store, pkey, payload, epoch, srv, rel, inbox_expected, inbox)"
            + " WHERE p.store = v.store COLLATE \"C\" AND p.pkey = v.pkey COLLATE \"C\""
            + " AND p.epoch = v.epoch AND p.owner_server = v.srv"
            + " AND (v.inbox IS NULL OR p.inbox_version = v.inbox_expected)"
            + " RETURNING p.store, p.pkey, p.epoch, p.owner_server, p.owner_place, p.owner_job, p.inbox, p.inbox_version";
    /** The records of the refused items of a batch, as they are now. */
    private static final String SELECT_BATCH = "SELECT p.store, p.pkey, p." + COLS_NO_PAYLOAD.replace(", ", ", p.")
            + " FROM " + PROFILES + " AS p JOIN unnest(?::text[], ?::text[]) AS v(store, pkey)"
            + " ON p.store = v.store COLLATE \"C\" AND p.pkey = v.pkey COLLATE \"C\"";

    private final DirectConnections listenConnections;

    /**
     * @param listenConnections opens the dedicated connection the bus LISTENs on (outside the pool
     *                          when this backend made the pool)
     */
    public PostgresBackend(DataSource dataSource, AutoCloseable ownedPool, String description, String secret,
                           DirectConnections listenConnections) {
        super(dataSource, ownedPool, description, secret, NOW_MILLIS, LeaseClock.STORE, listenConnections);
        this.listenConnections = listenConnections;
        start();
    }

    @Override
    protected void initSchema(Connection c) throws SQLException {
        inTransaction(c, tx -> {
            try (PreparedStatement ps = tx.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, SCHEMA_LOCK_ID);
                ps.execute();
            }
            ensureSchema(tx, "CREATE TABLE IF NOT EXISTS " + SCHEMA + " (component TEXT PRIMARY KEY, version INT NOT NULL)", List.of(
                    "CREATE TABLE IF NOT EXISTS " + PROFILES + " ("
                            + " store TEXT COLLATE \"C\" NOT NULL, pkey TEXT COLLATE \"C\" NOT NULL, payload BYTEA,"
                            + " epoch BIGINT NOT NULL DEFAULT 0, owner_server TEXT, owner_place TEXT, owner_job TEXT,"
                            + " inbox BYTEA, inbox_version BIGINT NOT NULL DEFAULT 0, revision BIGINT NOT NULL DEFAULT 0,"
                            + " PRIMARY KEY (store, pkey)) WITH (fillfactor = 80)",
                    "CREATE INDEX IF NOT EXISTS ps_profiles_owned ON " + PROFILES + " (store, pkey) WHERE owner_server IS NOT NULL",
                    "CREATE TABLE IF NOT EXISTS " + SERVERS + " (server_id TEXT PRIMARY KEY, place_id TEXT, job_id TEXT, expires_at BIGINT NOT NULL)",
                    "CREATE TABLE IF NOT EXISTS " + QUARANTINE + " (id BIGSERIAL PRIMARY KEY, store TEXT COLLATE \"C\" NOT NULL,"
                            + " pkey TEXT COLLATE \"C\" NOT NULL, payload BYTEA NOT NULL, reason TEXT NOT NULL, at_millis BIGINT NOT NULL)",
                    "CREATE INDEX IF NOT EXISTS ps_quarantine_key ON " + QUARANTINE + " (store, pkey)",
                    "CREATE TABLE IF NOT EXISTS " + MESSAGES + " (id BIGSERIAL PRIMARY KEY, target TEXT NOT NULL, body TEXT NOT NULL,"
                            + " created_at BIGINT NOT NULL)",
                    "CREATE INDEX IF NOT EXISTS ps_messages_target ON " + MESSAGES + " (target, id)"));
            return null;
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
        Long[] inboxVersions = new Long[n];
        byte[][] inboxes = new byte[n][];
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
            inboxVersions[i] = w.expectedInboxVersion();
            inboxes[i] = w.newInbox();
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
            ps.setArray(7, c.createArrayOf("int8", inboxVersions));
            ps.setArray(8, c.createArrayOf("bytea", inboxes));
            roundTrip("saveBatch");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Integer i = index.get(new Address(rs.getString("store"), rs.getString("pkey")));
                    if (i == null || out[i] != null) {
                        throw new SQLException("saveBatch: the database returned a row that is not in the batch or returned it twice: "
                                + rs.getString("store") + "/" + rs.getString("pkey"), "XX000");
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
                out[i] = new SaveResult(FencedSave.refusal(record, chunk.get(i).request()), record);
            }
        }
        return List.of(out);
    }

    /** A record's address, to match returned rows to batch items. */
    private record Address(String store, String key) {
    }

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
