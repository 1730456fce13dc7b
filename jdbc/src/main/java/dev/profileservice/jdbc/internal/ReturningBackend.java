package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcConnections.bind;
import static dev.profileservice.jdbc.internal.JdbcConnections.prepare;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The atomic operations for databases with {@code INSERT ... ON CONFLICT ... DO UPDATE ... WHERE}
 * and {@code RETURNING}: PostgreSQL and SQLite (3.35+). Every operation is one statement in
 * autocommit mode, so one round trip; only a refused acquire or save adds a second {@code SELECT}
 * to report who holds the record now.
 *
 * <p>Each dialect writes a {@link #saveBatch} chunk its own way: SQLite as one transaction of
 * single saves ({@link #saveEach}), PostgreSQL as one statement.
 */
public abstract class ReturningBackend extends JdbcBackend {

    /** Takes a free or missing record; a record without payload gets the initial one (a first load). */
    private static final String ACQUIRE_FREE = "INSERT INTO " + PROFILES
            + " (store, pkey, payload, epoch, owner_server, owner_place, owner_job) VALUES (?, ?, ?, 1, ?, ?, ?)"
            + " ON CONFLICT (store, pkey) DO UPDATE SET epoch = " + PROFILES + ".epoch + 1,"
            + " owner_server = excluded.owner_server, owner_place = excluded.owner_place, owner_job = excluded.owner_job,"
            + " payload = COALESCE(" + PROFILES + ".payload, excluded.payload)"
            + " WHERE " + PROFILES + ".owner_server IS NULL RETURNING " + COLS;

    private static final String ACQUIRE_EPOCH_ZERO =
            ACQUIRE_FREE.replace(PROFILES + ".owner_server IS NULL", PROFILES + ".epoch = 0");
    private static final String ACQUIRE_EPOCH = "UPDATE " + PROFILES
            + " SET epoch = epoch + 1, owner_server = ?, owner_place = ?, owner_job = ?, payload = COALESCE(payload, ?)"
            + " WHERE store = ? AND pkey = ? AND epoch = ? RETURNING " + COLS;
    private static final String SELECT = "SELECT " + COLS + " FROM " + PROFILES + " WHERE store = ? AND pkey = ?";
    private static final String SELECT_NO_PAYLOAD =
            "SELECT " + COLS_NO_PAYLOAD + " FROM " + PROFILES + " WHERE store = ? AND pkey = ?";
    /**
     * Creates a missing record (no owner, epoch 0) or, when it exists, writes its sequence unchanged
     * (which takes PostgreSQL's row lock), returning the row as it is now.
     */
    static final String CREATE_OR_TOUCH = "INSERT INTO " + PROFILES + " (store, pkey, epoch) VALUES (?, ?, 0)"
            + " ON CONFLICT (store, pkey) DO UPDATE SET update_seq = " + PROFILES + ".update_seq RETURNING "
            + COLS_NO_PAYLOAD;
    /** The row of a record, for {@link #lockRecord}; PostgreSQL appends {@code FOR UPDATE}. */
    static final String SELECT_ROW =
            "SELECT " + COLS_NO_PAYLOAD + " FROM " + PROFILES + " WHERE store = ? AND pkey = ?";

    private static final String FORCE_RELEASE = "UPDATE " + PROFILES
            + " SET epoch = epoch + 1, owner_server = NULL, owner_place = NULL, owner_job = NULL"
            + " WHERE store = ? AND pkey = ? RETURNING " + COLS;
    /** The fenced save with the record after it, indexed by {@link FencedSave#variant}. */
    private static final String[] SAVE = FencedSave.statements(update -> update + " RETURNING " + COLS_NO_PAYLOAD);

    /** The heartbeat upsert: the lease runs out at the database's now plus the lease. */
    private final String heartbeatUpsert;

    protected ReturningBackend(Pool pool, String nowMillis, LeaseClock leaseClock) {
        super(pool, nowMillis, leaseClock);
        this.heartbeatUpsert = "INSERT INTO " + SERVERS + " (server_id, place_id, job_id, expires_at) VALUES (?, ?, ?, "
                + nowMillis + " + ?)"
                + " ON CONFLICT (server_id) DO UPDATE SET place_id = excluded.place_id, job_id = excluded.job_id, expires_at = excluded.expires_at";
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        return write("acquire", c -> {
            PreparedStatement ps;
            if (expectedEpoch == -1) {
                ps = prepare(c, ACQUIRE_FREE, store, key, initialPayload, me.serverId(), me.placeId(), me.jobId());
            } else if (expectedEpoch == 0) {
                ps = prepare(
                        c, ACQUIRE_EPOCH_ZERO, store, key, initialPayload, me.serverId(), me.placeId(), me.jobId());
            } else {
                ps = prepare(
                        c,
                        ACQUIRE_EPOCH,
                        me.serverId(),
                        me.placeId(),
                        me.jobId(),
                        initialPayload,
                        store,
                        key,
                        expectedEpoch);
            }
            try (ps) {
                roundTrip("acquire");
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new AcquireResult(true, withUpdates(c, "acquire", store, key, record(rs, true), rs));
                    }
                }
            }
            return new AcquireResult(false, select(c, "acquire", SELECT, store, key, true));
        });
    }

    private StoredProfile select(Connection c, String op, String sql, String store, String key, boolean withPayload)
            throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, store, key)) {
            roundTrip(op);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? record(rs, withPayload) : StoredProfile.ABSENT;
            }
        }
    }

    @Override
    protected SaveResult savePlain(Connection c, String store, String key, SaveRequest w) throws SQLException {
        try (PreparedStatement ps = prepare(c, SAVE[FencedSave.variant(w)], FencedSave.args(store, key, w))) {
            roundTrip("save");
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new SaveResult(SaveResult.Status.SAVED, record(rs, false));
                }
            }
        }
        return new SaveResult(SaveResult.Status.LOST_SESSION, select(c, "save", SELECT_NO_PAYLOAD, store, key, false));
    }

    /**
     * The body of a batch as a sequence of single saves on {@code c}, with no transaction control
     * of its own (the caller wraps it in one): the {@code UPDATE ... RETURNING} of each item, then,
     * only if some were refused, the {@code SELECT} of each refused record, so that the refusal is
     * judged from the record as the same transaction sees it. Reports one {@code saveBatch} round
     * trip for the writes and one more if any item was refused. Runs on the calling thread.
     */
    protected final List<SaveResult> saveEach(Connection c, List<SaveItem> chunk) throws SQLException {
        int n = chunk.size();
        SaveResult[] out = new SaveResult[n];
        PreparedStatement[] statements = new PreparedStatement[FencedSave.VARIANTS];
        try {
            roundTrip("saveBatch");
            List<Integer> refused = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SaveItem item = chunk.get(i);
                int variant = FencedSave.variant(item.request());
                PreparedStatement ps = statements[variant];
                if (ps == null) {
                    ps = c.prepareStatement(SAVE[variant]);
                    statements[variant] = ps;
                }
                bind(ps, FencedSave.args(item.store(), item.key(), item.request()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out[i] = new SaveResult(SaveResult.Status.SAVED, record(rs, false));
                    } else {
                        refused.add(i);
                    }
                }
            }
            if (!refused.isEmpty()) {
                roundTrip("saveBatch");
                try (PreparedStatement ps = c.prepareStatement(SELECT_NO_PAYLOAD)) {
                    for (int i : refused) {
                        SaveItem item = chunk.get(i);
                        bind(ps, item.store(), item.key());
                        StoredProfile now;
                        try (ResultSet rs = ps.executeQuery()) {
                            now = rs.next() ? record(rs, false) : StoredProfile.ABSENT;
                        }
                        out[i] = new SaveResult(SaveResult.Status.LOST_SESSION, now);
                    }
                }
            }
            return List.of(out);
        } finally {
            for (PreparedStatement ps : statements) {
                if (ps != null) {
                    ps.close();
                }
            }
        }
    }

    @Override
    protected StoredProfile forceRelease(String store, String key) {
        return write("forceRelease", c -> {
            try (PreparedStatement ps = prepare(c, FORCE_RELEASE, store, key)) {
                roundTrip("forceRelease");
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? record(rs, true) : StoredProfile.ABSENT;
                }
            }
        });
    }

    /** Runs {@code sql} (a row of {@link #COLS_NO_PAYLOAD} or none) as part of {@link #lockRecord}. */
    protected final Locked lockedRow(Connection c, String op, String sql, String store, String key)
            throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, store, key)) {
            roundTrip(op);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? locked(rs) : new Locked(0, null, 0, 0, 0);
            }
        }
    }

    @Override
    protected String heartbeatUpsert() {
        return heartbeatUpsert;
    }
}
