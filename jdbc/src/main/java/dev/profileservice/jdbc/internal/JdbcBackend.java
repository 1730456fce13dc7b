package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcConnections.execute;
import static dev.profileservice.jdbc.internal.JdbcConnections.prepare;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.RoundTripListener;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import dev.profileservice.spi.VersionHistory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of every JDBC backend that does not depend on the database: round-trip counting, batch
 * splitting, and the operations that are plain SQL everywhere; the administrative ones are in
 * {@link JdbcAdmin}, and the connection plumbing (pooling, write queueing, error translation,
 * statement binding, transactions) in {@link JdbcConnections}. Each dialect subclass supplies the
 * schema, its clock, its heartbeat upsert, the row lock inbox writers start with
 * ({@link #lockRecord}) and the atomic operations ({@code acquire}, the plain {@code save},
 * {@code forceRelease}) in the fewest round trips its database allows. The inbox is
 * {@link JdbcInbox}; the tables and their upgrades are {@link JdbcLayout}.
 *
 * <h2>Tables</h2>
 * {@code ps_profiles} (one row per {@code (store, pkey)}: payload, epoch, owner, update sequence,
 * pending update count, revision), {@code ps_updates} (global updates, see {@link JdbcInbox}),
 * {@code ps_servers} (heartbeats), {@code ps_quarantine} (copies of undecodable payloads),
 * {@code ps_messages} (the polled message bus), {@code ps_schema} (layout version). Stores share
 * the tables but the store name is part of every primary key (compared byte-wise), so records of
 * different stores never interact.
 *
 * <h2>Batches</h2>
 * {@link #saveBatch} checks the items ({@link SaveItem#requireDistinct}), sorts them by
 * {@code (store, key)}, cuts them into chunks of at most {@link #maxBatchSize()} items and
 * {@link #maxBatchBytes()} bytes ({@link SaveItem#chunks}), and hands each chunk to the
 * dialect's {@link #saveChunk} on one borrowed connection (one {@link #write}, so SQLite's JVM-wide
 * write lock is taken once per chunk). Sorting gives every multi-row write the same lock order, so
 * two batches that overlap wait for each other instead of deadlocking.
 *
 * <h2>Threads</h2>
 * Every method blocks the calling thread (the engine's I/O pool) for its statements; any number of
 * threads may call at once, each borrowing its own pooled connection.
 */
public abstract class JdbcBackend implements Backend {
    /** Profile records. */
    public static final String PROFILES = "ps_profiles";
    /** Global updates, pending and recently consumed. */
    public static final String UPDATES = "ps_updates";
    /** Server heartbeats. */
    public static final String SERVERS = "ps_servers";
    /** Quarantined payloads. */
    public static final String QUARANTINE = "ps_quarantine";
    /** Messages of the polled bus. */
    public static final String MESSAGES = "ps_messages";
    /** The index of user ids ({@code USER_IDS}) and the kept versions of profiles ({@link JdbcHistory}). */
    public static final String USER_IDS = "ps_user_ids", VERSIONS = "ps_versions";
    /** Layout version table. */
    public static final String SCHEMA = "ps_schema";

    /** The record columns, in the order {@link #record(ResultSet, boolean)} reads them. */
    protected static final String COLS =
            "payload, epoch, owner_server, owner_place, owner_job, update_seq, update_pending, revision";
    /** The record columns without the payload (results of saves do not carry it back). */
    protected static final String COLS_NO_PAYLOAD =
            "epoch, owner_server, owner_place, owner_job, update_seq, update_pending, revision";

    private static final Logger LOG = LoggerFactory.getLogger(JdbcBackend.class);

    protected final DataSource dataSource;
    /**
     * The SQL expression for "now" in epoch milliseconds by the clock leases are judged by (see
     * {@link #leaseClock()}): the database server's, read inside the statement, so no process ever
     * compares its own clock with a time another process wrote.
     */
    protected final String nowMillis;

    private final LeaseClock leaseClock;
    private final JdbcConnections connections;
    private volatile RoundTripListener roundTrips = RoundTripListener.NONE;
    private MessageBus bus;
    private final JdbcAdmin admin = new JdbcAdmin(this);
    private final JdbcHistory history = new JdbcHistory(this);
    /** The global-update inbox of every record of this store. */
    protected final JdbcInbox inbox;

    /**
     * Where a backend's connections come from, as {@link Opener} or the user's pool provides them.
     *
     * @param dataSource  where connections come from
     * @param owned       closed by {@link #close()} (the pool the backend made), or null when the
     *                    user brought the data source and keeps ownership of it
     * @param description the URI with its password masked
     * @param secret      the password, scrubbed from every message as a second line of defence; may be null
     * @param direct      opens connections outside {@code owned} while it has none (see
     *                    {@link #withConnection}); null for none
     */
    public record Pool(
            DataSource dataSource, AutoCloseable owned, String description, String secret, DirectConnections direct) {}

    /**
     * @param pool       where connections come from
     * @param nowMillis  the dialect's SQL expression for the current time in epoch milliseconds
     * @param leaseClock whose clock {@code nowMillis} reads (the database server's, or the host's for a file)
     */
    protected JdbcBackend(Pool pool, String nowMillis, LeaseClock leaseClock) {
        this.dataSource = pool.dataSource();
        this.connections = new JdbcConnections(pool);
        this.nowMillis = nowMillis;
        this.leaseClock = leaseClock;
        this.inbox = new JdbcInbox(this);
    }

    /**
     * Connects once, checks the connection ({@link #checkConnection}), creates or upgrades the
     * tables under the dialect's schema lock ({@link #underSchemaLock}, {@link JdbcLayout}), and
     * starts the message bus; call from factories.
     */
    protected final void start() {
        withConnection("schema", c -> {
            checkConnection(c);
            underSchemaLock(c, locked -> {
                new JdbcLayout(describe(), tables()).ensure(locked);
                return null;
            });
            return null;
        });
        synchronized (this) {
            bus = createBus();
        }
    }

    /** What a dialect checks or learns of a new connection before the tables are looked at; nothing by default. */
    protected void checkConnection(Connection c) throws SQLException {}

    /** The dialect's tables ({@link JdbcLayout#standard} for the dialects that speak standard SQL). */
    protected abstract JdbcLayout.Ddl tables();

    /**
     * Runs {@code work} on {@code c} holding the database-wide lock that makes two processes starting
     * at once create or upgrade the tables one after the other.
     */
    protected abstract void underSchemaLock(Connection c, SqlWork<Void> work) throws SQLException;

    /**
     * The dialect's heartbeat upsert of {@link #SERVERS}, with the parameters server id, place id,
     * job id and lease in milliseconds: the lease runs out at {@link #nowMillis} plus the lease.
     */
    protected abstract String heartbeatUpsert();

    /** A record's row as {@link #lockRecord} found it, locked until the transaction ends. */
    protected record Locked(long epoch, Owner owner, long seq, int pending, long revision) {
        /** Whether the session {@code (serverId, epoch)} still holds the record. */
        boolean heldBy(String serverId, long sessionEpoch) {
            return owner != null && epoch == sessionEpoch && owner.serverId().equals(serverId);
        }

        /** The record as a refused save reports it (no payload, no updates). */
        StoredProfile record() {
            return new StoredProfile(null, epoch, owner, List.of(), seq, revision);
        }
    }

    /**
     * Begins a transaction on {@code c} and locks the record's row in it, so that the inbox
     * writers of one record ({@link JdbcInbox}) run one after the other; reads made after it in
     * the transaction see every write committed before the lock was granted. With {@code create},
     * a missing record is created first (no owner, epoch 0, no payload; undone if the transaction
     * rolls back); without, a missing record is reported as epoch 0 with no owner. The caller ends
     * the transaction with {@link #commit} or {@link #rollback}. Reports its round trips as {@code op}.
     */
    protected abstract Locked lockRecord(Connection c, String op, String store, String key, boolean create)
            throws SQLException;

    /**
     * Commits the transaction {@link #lockRecord} began (one round trip, reported as {@code op}):
     * a {@code COMMIT} statement, for dialects that begin it with a statement too.
     */
    protected void commit(Connection c, String op) throws SQLException {
        roundTrip(op);
        execute(c, "COMMIT");
    }

    /**
     * Rolls back the transaction {@link #lockRecord} began, with a {@code ROLLBACK} statement; never
     * throws (the database already rolled back, or the connection is gone and the pool discards it).
     */
    protected void rollback(Connection c) {
        try {
            execute(c, "ROLLBACK");
        } catch (SQLException | RuntimeException e) {
            LOG.trace("ROLLBACK failed on {}", describe(), e);
        }
    }

    /** A {@link Locked} from the current row: {@link #COLS_NO_PAYLOAD}. */
    protected static Locked locked(ResultSet rs) throws SQLException {
        return new Locked(
                rs.getLong("epoch"),
                owner(rs),
                rs.getLong("update_seq"),
                rs.getInt("update_pending"),
                rs.getLong("revision"));
    }

    /** The message bus of this dialect (started lazily on its first subscribe). */
    protected abstract MessageBus createBus();

    /**
     * The administrative release ({@link BackendAdmin#forceRelease}) in the fewest round trips the
     * dialect allows; offered through {@link #admin()}.
     */
    protected abstract StoredProfile forceRelease(String store, String key);

    @Override
    public String describe() {
        return connections.description();
    }

    /** The built-in stores offer every administrative operation. */
    @Override
    public Optional<BackendAdmin> admin() {
        return Optional.of(admin);
    }

    /** Versions kept by the trigger of layout 3 ({@link JdbcLayout}), read by {@link JdbcHistory}. */
    @Override
    public Optional<VersionHistory> history() {
        return Optional.of(history);
    }

    /** The pool's size when it is a HikariCP pool (ours or the user's), else HikariCP's default of 10. */
    @Override
    public int maxConcurrentCalls() {
        return connections.maxConcurrentCalls();
    }

    @Override
    public Optional<MessageBus> messageBus() {
        synchronized (this) {
            return Optional.ofNullable(bus);
        }
    }

    @Override
    public void setRoundTripListener(RoundTripListener listener) {
        this.roundTrips = listener == null ? RoundTripListener.NONE : listener;
    }

    /** Reports one round trip of {@code operation}; call right before each statement or batch is sent. */
    protected final void roundTrip(String operation) {
        try {
            roundTrips.roundTrip(operation);
        } catch (RuntimeException e) {
            LOG.debug("round-trip listener threw", e);
        }
    }

    /** Work on one borrowed connection. */
    @FunctionalInterface
    protected interface SqlWork<R> {
        R run(Connection c) throws SQLException;
    }

    /**
     * Borrows a connection, runs {@code work}, and translates failures for operation {@code op}.
     *
     * <p>While a pool this backend made has no connection at all (the database was unreachable and
     * the pool dropped them), the connection is opened directly and closed after the call: HikariCP
     * waits longer and longer (up to 5 s) between its own attempts to reconnect, and the first
     * calls after the database's return should not wait for the next one. It refills meanwhile.
     */
    protected final <R> R withConnection(String op, SqlWork<R> work) {
        return connections.withConnection(op, work);
    }

    /**
     * Makes every {@link #write} of this backend take {@code lock} first (SQLite: one writer at a
     * time per file in this JVM, so that threads queue fairly here instead of starving in SQLite's
     * busy handler; other processes are still handled by the busy timeout).
     */
    protected final void serializeWrites(java.util.concurrent.locks.Lock lock, long timeoutMillis) {
        connections.serializeWrites(lock, timeoutMillis);
    }

    /** Like {@link #withConnection} for an operation that writes. */
    protected final <R> R write(String op, SqlWork<R> work) {
        return connections.write(op, work);
    }

    /** A {@link BackendException} for {@code e} with the password scrubbed from the message. */
    protected final BackendException translate(String op, SQLException e) {
        return connections.translate(op, e);
    }

    /** {@code text} with the password replaced by {@code ****}. */
    protected final String scrub(String text) {
        return connections.scrub(text);
    }

    /**
     * Reads a record from the current row: {@link #COLS} (with payload) or {@link #COLS_NO_PAYLOAD};
     * without its updates (see {@link #withUpdates}).
     */
    protected static StoredProfile record(ResultSet rs, boolean withPayload) throws SQLException {
        byte[] payload = withPayload ? rs.getBytes("payload") : null;
        return new StoredProfile(
                payload, rs.getLong("epoch"), owner(rs), List.of(), rs.getLong("update_seq"), rs.getLong("revision"));
    }

    /**
     * {@code record}, read from the current row with {@link #record}, completed with its pending
     * updates: a second round trip (reported as {@code op}) only when the row counts some.
     */
    protected final StoredProfile withUpdates(
            Connection c, String op, String store, String key, StoredProfile record, ResultSet row)
            throws SQLException {
        return inbox.withPending(c, op, store, key, record, row.getLong("update_pending"));
    }

    /** The owner in the current row ({@code owner_server}, {@code owner_place}, {@code owner_job}), or null if it has none. */
    static Owner owner(ResultSet rs) throws SQLException {
        String server = rs.getString("owner_server");
        return server == null
                ? null
                : new Owner(server, nz(rs.getString("owner_place")), nz(rs.getString("owner_job")));
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }

    // ------------------------------------------------------------------ batches

    /** Orders batch items by store, then key (the lock order of every multi-row write). */
    private static final Comparator<SaveItem> ADDRESS_ORDER =
            Comparator.comparing(SaveItem::store).thenComparing(SaveItem::key);

    /**
     * The most bytes ({@link SaveItem#estimatedBytes}) one chunk of a {@link #saveBatch} may carry;
     * a single item larger than this is still sent, alone. The default, 16 MiB, keeps the statement
     * and the server's memory for it bounded when profiles are large (64 profiles of the engine's
     * default 4 MiB limit would be 256 MiB).
     */
    protected long maxBatchBytes() {
        return 16L << 20;
    }

    /**
     * Writes the plain saves in chunks of up to {@link #maxBatchSize()} (and {@link #maxBatchBytes()}),
     * each chunk one {@link #saveChunk} on one connection, and each save that consumes updates on
     * its own ({@link JdbcInbox#saveConsuming}). Runs on the calling thread (the engine's I/O pool)
     * and blocks it for every chunk in turn.
     *
     * @throws IllegalArgumentException if an item is null or a {@code (store, key)} occurs twice
     * @throws dev.profileservice.spi.BackendException if a chunk fails; items of earlier chunks
     *         may have been applied (the outcome of every item is then unknown, as the SPI says)
     */
    @Override
    public final List<SaveResult> saveBatch(List<SaveItem> items) {
        SaveItem.requireDistinct(items);
        int n = items.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> ADDRESS_ORDER.compare(items.get(a), items.get(b)));
        SaveResult[] out = new SaveResult[n];
        List<SaveItem> plain = new ArrayList<>(n);
        List<Integer> plainIndex = new ArrayList<>(n);
        for (int i : order) {
            SaveItem item = items.get(i);
            if (item.request().consume().isEmpty()) {
                plain.add(item);
                plainIndex.add(i);
            } else {
                // rare (right after gifts arrived): its own transaction, which locks the record first
                out[i] = write("saveBatch", c -> inbox.saveConsuming(c, item.store(), item.key(), item.request()));
            }
        }
        int done = 0;
        for (List<SaveItem> chunk : SaveItem.chunks(plain, maxBatchSize(), maxBatchBytes())) {
            List<SaveResult> results = write("saveBatch", c -> saveChunk(c, chunk));
            if (results.size() != chunk.size()) {
                throw new IllegalStateException(
                        "saveChunk returned " + results.size() + " results for " + chunk.size() + " items");
            }
            for (SaveResult result : results) {
                out[plainIndex.get(done++)] = result;
            }
        }
        return List.of(out);
    }

    /**
     * Applies one chunk of a {@link #saveBatch} of plain saves (none consumes updates): each item
     * with exactly the outcome of {@link #save},
     * in one round trip when all are applied (reported as {@code saveBatch}), at most one more for
     * the refused ones. The items are distinct and sorted by {@code (store, key)}; at most
     * {@link #maxBatchSize()} of them unless a single item exceeds {@link #maxBatchBytes()}.
     * Runs on the calling thread with a connection borrowed for this chunk only.
     *
     * @return one result per item, in the order of {@code chunk}
     */
    protected abstract List<SaveResult> saveChunk(Connection c, List<SaveItem> chunk) throws SQLException;

    // ------------------------------------------------------------------ shared operations

    @Override
    public final LeaseClock leaseClock() {
        return leaseClock;
    }

    @Override
    public final void heartbeat(Owner server, Duration lease) {
        write("heartbeat", c -> {
            try (PreparedStatement ps = prepare(
                    c, heartbeatUpsert(), server.serverId(), server.placeId(), server.jobId(), lease.toMillis())) {
                roundTrip("heartbeat");
                return ps.executeUpdate();
            }
        });
    }

    /**
     * The record and its pending updates in one statement (so one snapshot): the record's row first
     * ({@code part} 0), then one row per pending update in id order ({@code part} 1).
     */
    private static String recordWithUpdates(boolean withPayload) {
        String payload = withPayload ? "payload, " : "";
        return "SELECT 0 AS part, " + payload + COLS_NO_PAYLOAD + ", 0 AS id, 0 AS version, NULL AS data FROM "
                + PROFILES
                + " WHERE store = ? AND pkey = ?"
                + " UNION ALL SELECT 1, " + (withPayload ? "NULL, " : "")
                + "0, NULL, NULL, NULL, 0, 0, 0, id, version, data FROM " + UPDATES
                + " WHERE store = ? AND pkey = ? AND consumed_at IS NULL ORDER BY part, id";
    }

    private static final String READ = recordWithUpdates(true);
    private static final String READ_UPDATES = recordWithUpdates(false);

    @Override
    public StoredProfile read(String store, String key) {
        return withConnection("read", c -> readWithUpdates(c, "read", READ, store, key, true));
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        return withConnection("readUpdates", c -> readWithUpdates(c, "readUpdates", READ_UPDATES, store, key, false));
    }

    private StoredProfile readWithUpdates(
            Connection c, String op, String sql, String store, String key, boolean withPayload) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, store, key, store, key)) {
            roundTrip(op);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt("part") != 0) {
                    return StoredProfile.ABSENT;
                }
                StoredProfile r = record(rs, withPayload);
                List<dev.profileservice.spi.PendingUpdate> updates = new ArrayList<>();
                while (rs.next()) {
                    updates.add(new dev.profileservice.spi.PendingUpdate(
                            rs.getLong("id"), rs.getLong("version"), rs.getBytes("data")));
                }
                return new StoredProfile(
                        r.payload(), r.epoch(), r.owner(), List.copyOf(updates), r.updateSeq(), r.revision());
            }
        }
    }

    @Override
    public final SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        return write("sendUpdates", c -> {
            SendResult inOneStatement = sendAdds(c, store, key, ops, maxPending);
            return inOneStatement != null ? inOneStatement : inbox.send(c, store, key, ops, maxPending);
        });
    }

    /**
     * A send in one statement, where the dialect has one for it (PostgreSQL, for adds only); null
     * to run the transaction of {@link JdbcInbox} instead. Runs on the calling thread.
     */
    protected SendResult sendAdds(Connection c, String store, String key, List<UpdateOp> ops, int maxPending)
            throws SQLException {
        return null;
    }

    /**
     * The owner's fenced save: a plain one is the dialect's single statement ({@link #savePlain}),
     * one that consumes updates is a transaction of {@link JdbcInbox}.
     */
    @Override
    public final SaveResult save(String store, String key, SaveRequest w) {
        return write(
                "save",
                c -> w.consume().isEmpty() ? savePlain(c, store, key, w) : inbox.saveConsuming(c, store, key, w));
    }

    /** A save that consumes no update, in the fewest round trips the dialect allows (see {@link FencedSave}). */
    protected abstract SaveResult savePlain(Connection c, String store, String key, SaveRequest w) throws SQLException;

    @Override
    public Optional<ServerLease> server(String serverId) {
        return withConnection("server", c -> {
            try (PreparedStatement ps =
                    prepare(c, "SELECT " + leaseColumns() + " FROM " + SERVERS + " WHERE server_id = ?", serverId)) {
                roundTrip("server");
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(lease(rs)) : Optional.<ServerLease>empty();
                }
            }
        });
    }

    @Override
    public void removeServer(String serverId) {
        write("removeServer", c -> {
            try (PreparedStatement ps = prepare(c, "DELETE FROM " + SERVERS + " WHERE server_id = ?", serverId)) {
                roundTrip("removeServer");
                return ps.executeUpdate();
            }
        });
    }

    /** A heartbeat row with its remaining lease judged by the database's clock in the same statement. */
    final String leaseColumns() {
        return "server_id, place_id, job_id, expires_at - " + nowMillis + " AS expires_in";
    }

    /** A heartbeat row read with {@link #leaseColumns()}. */
    static ServerLease lease(ResultSet rs) throws SQLException {
        return new ServerLease(
                rs.getString("server_id"),
                nz(rs.getString("place_id")),
                nz(rs.getString("job_id")),
                rs.getLong("expires_in"));
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        write("quarantine", c -> {
            try (PreparedStatement ps = prepare(
                    c,
                    "INSERT INTO " + QUARANTINE + " (store, pkey, payload, reason, at_millis) VALUES (?, ?, ?, ?, ?)",
                    store,
                    key,
                    payload,
                    reason == null ? "" : reason,
                    atMillis)) {
                roundTrip("quarantine");
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void close() {
        if (!connections.markClosed()) {
            return;
        }
        MessageBus b;
        synchronized (this) {
            b = bus;
        }
        if (b != null) {
            try {
                b.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the message bus of {} failed", describe(), e);
            }
        }
        connections.closePool();
    }

    /** Whether {@link #close()} was called. */
    protected final boolean isClosed() {
        return connections.isClosed();
    }
}
