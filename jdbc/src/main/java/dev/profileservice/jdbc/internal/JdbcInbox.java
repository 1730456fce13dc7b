package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcBackend.PROFILES;
import static dev.profileservice.jdbc.internal.JdbcBackend.UPDATES;
import static dev.profileservice.jdbc.internal.JdbcConnections.prepare;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendPlan;
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
 * The global-update inbox in SQL, the same in every dialect: one row of {@code ps_updates} per
 * update ({@code (store, pkey, id)}, its {@code version}, add {@code token} and {@code data}), the
 * pending ones with {@code consumed_at} NULL; a consumed or cleared update keeps its row, without
 * data, for {@link Backend#TOKEN_RETENTION} so that its token is still recognised. The record's
 * {@code update_seq} (last id given) and {@code update_pending} (how many are pending) live in its
 * {@code ps_profiles} row.
 *
 * <p>A send and a consuming save are each one transaction that first locks the record's row
 * ({@link JdbcBackend#lockRecord}, which the dialect writes), then reads what it needs of the
 * inbox with fresh reads, decides ({@link SendPlan}), and writes. Every writer of the inbox takes
 * that row lock first, so they run one after the other per record and never deadlock on the update
 * rows; adds to different records never wait for each other. The round trips are a few per call,
 * independent of how many updates a call adds or consumes. A plain save (consuming nothing) does
 * not come here: it is the single fenced UPDATE of {@link FencedSave}.
 *
 * <h2>Threads</h2>
 * Stateless apart from its backend; every method runs on the calling thread (the engine's I/O pool)
 * on the connection it is given, which the caller borrowed for this call alone.
 */
final class JdbcInbox {
    /** Rows per multi-row statement: a group of 256 adds is two statements, well under every driver's parameter limit. */
    private static final int ROWS_PER_STATEMENT = 128;

    private final JdbcBackend backend;
    /** The database's now, in epoch milliseconds, as SQL ({@link JdbcBackend#nowMillis}). */
    private final String nowMillis;

    JdbcInbox(JdbcBackend backend) {
        this.backend = backend;
        this.nowMillis = backend.nowMillis;
    }

    /** {@link Backend#sendUpdates} on {@code c}: lock (creating the record if missing), read tokens and targets, decide, write. */
    SendResult send(Connection c, String store, String key, List<UpdateOp> ops, int maxPending) throws SQLException {
        boolean done = false;
        try {
            JdbcBackend.Locked row = backend.lockRecord(c, "sendUpdates", store, key, true);
            SendPlan plan = SendPlan.of(
                    ops,
                    maxPending,
                    row.seq(),
                    row.pending(),
                    tokens(c, store, key, SendPlan.tokens(ops)),
                    versions(c, store, key, SendPlan.targets(ops)));
            if (!plan.applied()) {
                return new SendResult(plan.status(), List.of(), row.owner());
            }
            insert(c, store, key, plan.inserts());
            for (PendingUpdate u : plan.changes()) {
                try (PreparedStatement ps = prepare(
                        c,
                        "UPDATE " + UPDATES + " SET version = ?, data = ? WHERE store = ? AND pkey = ? AND id = ?",
                        u.version(),
                        u.data(),
                        store,
                        key,
                        u.id())) {
                    backend.roundTrip("sendUpdates");
                    ps.executeUpdate();
                }
            }
            retire(c, "sendUpdates", store, key, plan.clears());
            try (PreparedStatement ps = prepare(
                    c,
                    "UPDATE " + PROFILES + " SET update_seq = ?, update_pending = ? WHERE store = ? AND pkey = ?",
                    plan.seq(),
                    plan.pending(),
                    store,
                    key)) {
                backend.roundTrip("sendUpdates");
                ps.executeUpdate();
            }
            backend.commit(c, "sendUpdates");
            done = true;
            return new SendResult(SendResult.Status.APPLIED, plan.addedIds(), row.owner());
        } finally {
            if (!done) {
                backend.rollback(c); // also after a failed lock: the transaction may have begun
            }
        }
    }

    /**
     * A save that consumes updates, on {@code c}: lock, check the fence (else {@code LOST_SESSION}),
     * retire the consumed updates at their versions (else {@code UPDATES_CHANGED}, nothing written),
     * write the payload, forget tokens consumed longer ago than the retention.
     */
    SaveResult saveConsuming(Connection c, String store, String key, SaveRequest w) throws SQLException {
        boolean done = false;
        try {
            JdbcBackend.Locked row = backend.lockRecord(c, "save", store, key, false);
            StoredProfile before = row.record();
            if (!row.heldBy(w.serverId(), w.epoch())) {
                return new SaveResult(SaveResult.Status.LOST_SESSION, before);
            }
            if (consume(c, store, key, w.consume()) != w.consume().size()) {
                return new SaveResult(SaveResult.Status.UPDATES_CHANGED, before);
            }
            try (PreparedStatement ps = prepare(
                    c,
                    "UPDATE " + PROFILES + " SET payload = ?, revision = revision + 1, keep_as = ?, user_ids_set = ?,"
                            + " update_pending = update_pending - ?" + (w.release() ? FencedSave.RELEASE : "")
                            + " WHERE store = ? AND pkey = ?",
                    w.payload(),
                    FencedSave.keepAs(w),
                    w.userIdsJson(),
                    w.consume().size(),
                    store,
                    key)) {
                backend.roundTrip("save");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = prepare(
                    c,
                    "DELETE FROM " + UPDATES + " WHERE store = ? AND pkey = ? AND consumed_at < " + nowMillis + " - ?",
                    store,
                    key,
                    Backend.TOKEN_RETENTION.toMillis())) {
                backend.roundTrip("save");
                ps.executeUpdate();
            }
            backend.commit(c, "save");
            done = true;
            return new SaveResult(
                    SaveResult.Status.SAVED,
                    new StoredProfile(
                            null,
                            row.epoch(),
                            w.release() ? null : row.owner(),
                            List.of(),
                            row.seq(),
                            row.revision() + 1));
        } finally {
            if (!done) {
                backend.rollback(c); // also after a failed lock: the transaction may have begun
            }
        }
    }

    /**
     * The rollback ({@link dev.profileservice.spi.VersionHistory#overwrite}) on {@code c}: lock the
     * row, write the payload as a kept version with {@code cause} (the trigger of {@link JdbcLayout}
     * keeps it), end the session (epoch + 1, no owner), and with {@code clearUpdates} retire every
     * pending update, all in one transaction. A record without payload (never a profile, or missing)
     * is left as it is.
     */
    StoredProfile overwrite(
            Connection c, String store, String key, byte[] payload, boolean clearUpdates, String cause, String userIds)
            throws SQLException {
        boolean done = false;
        try {
            JdbcBackend.Locked row = backend.lockRecord(c, "overwrite", store, key, false);
            int written;
            try (PreparedStatement ps = prepare(
                    c,
                    "UPDATE " + PROFILES + " SET payload = ?, revision = revision + 1, keep_as = ?, user_ids_set = ?,"
                            + " epoch = epoch + 1" + FencedSave.RELEASE + (clearUpdates ? ", update_pending = 0" : "")
                            + " WHERE store = ? AND pkey = ? AND payload IS NOT NULL",
                    payload,
                    cause,
                    userIds,
                    store,
                    key)) {
                backend.roundTrip("overwrite");
                written = ps.executeUpdate();
            }
            if (written == 0) {
                return StoredProfile.ABSENT;
            }
            if (clearUpdates) {
                try (PreparedStatement ps = prepare(
                        c,
                        "UPDATE " + UPDATES + " SET consumed_at = " + nowMillis + ", data = NULL"
                                + " WHERE store = ? AND pkey = ? AND consumed_at IS NULL",
                        store,
                        key)) {
                    backend.roundTrip("overwrite");
                    ps.executeUpdate();
                }
            }
            backend.commit(c, "overwrite");
            done = true;
            return new StoredProfile(payload, row.epoch() + 1, null, List.of(), row.seq(), row.revision() + 1);
        } finally {
            if (!done) {
                backend.rollback(c); // nothing written, or a failure: the transaction ends here
            }
        }
    }

    /** The pending updates of a record, in id order (one round trip, reported as {@code op}). */
    List<PendingUpdate> pending(Connection c, String op, String store, String key) throws SQLException {
        try (PreparedStatement ps = prepare(
                c,
                "SELECT id, version, data FROM " + UPDATES
                        + " WHERE store = ? AND pkey = ? AND consumed_at IS NULL ORDER BY id",
                store,
                key)) {
            backend.roundTrip(op);
            List<PendingUpdate> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PendingUpdate(rs.getLong("id"), rs.getLong("version"), rs.getBytes("data")));
                }
            }
            return out;
        }
    }

    /** {@code record} with its pending updates read after it (only when it has some); the sequence covers every id read. */
    StoredProfile withPending(
            Connection c, String op, String store, String key, StoredProfile record, long pendingCount)
            throws SQLException {
        if (pendingCount <= 0) {
            return record;
        }
        List<PendingUpdate> updates = pending(c, op, store, key);
        long seq = updates.isEmpty()
                ? record.updateSeq()
                : Math.max(record.updateSeq(), updates.get(updates.size() - 1).id());
        return new StoredProfile(
                record.payload(), record.epoch(), record.owner(), List.copyOf(updates), seq, record.revision());
    }

    /** The ids of the given tokens the record remembers. */
    private Map<String, Long> tokens(Connection c, String store, String key, List<String> tokens) throws SQLException {
        return lookUp(c, store, key, "SELECT token, id", "token", tokens, rs -> rs.getString(1));
    }

    /** The versions of the given updates that are pending. */
    private Map<Long, Long> versions(Connection c, String store, String key, List<Long> ids) throws SQLException {
        return lookUp(c, store, key, "SELECT id, version", "consumed_at IS NULL AND id", ids, rs -> rs.getLong(1));
    }

    /** Reads the first column of a row. */
    @FunctionalInterface
    private interface FirstColumn<K> {
        K read(ResultSet rs) throws SQLException;
    }

    /**
     * {@code select} from the record's updates {@code WHERE ... AND column IN (values)}, a part of
     * the values at a time: the first column of each row to the second.
     */
    private <K> Map<K, Long> lookUp(
            Connection c, String store, String key, String select, String column, List<K> values, FirstColumn<K> first)
            throws SQLException {
        Map<K, Long> out = new HashMap<>();
        for (List<K> part : parts(values)) {
            List<Object> args = new ArrayList<>(List.of(store, key));
            args.addAll(part);
            try (PreparedStatement ps = prepare(
                    c,
                    select + " FROM " + UPDATES + " WHERE store = ? AND pkey = ? AND " + column + " IN ("
                            + marks(part.size()) + ")",
                    args.toArray())) {
                backend.roundTrip("sendUpdates");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(first.read(rs), rs.getLong(2));
                    }
                }
            }
        }
        return out;
    }

    private void insert(Connection c, String store, String key, List<SendPlan.Insert> inserts) throws SQLException {
        for (List<SendPlan.Insert> part : parts(inserts)) {
            StringBuilder sql =
                    new StringBuilder("INSERT INTO " + UPDATES + " (store, pkey, id, version, token, data) VALUES ");
            List<Object> args = new ArrayList<>(part.size() * 5);
            for (int i = 0; i < part.size(); i++) {
                SendPlan.Insert u = part.get(i);
                sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, 1, ?, ?)");
                args.addAll(List.of(store, key, u.id(), u.token(), u.data()));
            }
            try (PreparedStatement ps = prepare(c, sql.toString(), args.toArray())) {
                backend.roundTrip("sendUpdates");
                ps.executeUpdate();
            }
        }
    }

    /** Marks the given pending updates consumed now (their tokens stay, their data goes). */
    private void retire(Connection c, String op, String store, String key, List<Long> ids) throws SQLException {
        for (List<Long> part : parts(ids)) {
            List<Object> args = new ArrayList<>(List.of(store, key));
            args.addAll(part);
            try (PreparedStatement ps = prepare(
                    c,
                    "UPDATE " + UPDATES + " SET consumed_at = " + nowMillis + ", data = NULL"
                            + " WHERE store = ? AND pkey = ? AND consumed_at IS NULL AND id IN (" + marks(part.size())
                            + ")",
                    args.toArray())) {
                backend.roundTrip(op);
                ps.executeUpdate();
            }
        }
    }

    /** Retires the updates a save consumes that are still pending at the version it names; returns how many were. */
    private int consume(Connection c, String store, String key, List<SaveRequest.Consume> consume) throws SQLException {
        int n = 0;
        for (List<SaveRequest.Consume> part : parts(consume)) {
            StringBuilder sql = new StringBuilder("UPDATE " + UPDATES + " SET consumed_at = " + nowMillis
                    + ", data = NULL" + " WHERE store = ? AND pkey = ? AND consumed_at IS NULL AND (");
            List<Object> args = new ArrayList<>(List.of(store, key));
            for (int i = 0; i < part.size(); i++) {
                sql.append(i == 0 ? "" : " OR ").append("(id = ? AND version = ?)");
                args.add(part.get(i).id());
                args.add(part.get(i).version());
            }
            try (PreparedStatement ps = prepare(c, sql.append(")").toString(), args.toArray())) {
                backend.roundTrip("save");
                n += ps.executeUpdate();
            }
        }
        return n;
    }

    private static <T> List<List<T>> parts(List<T> all) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += ROWS_PER_STATEMENT) {
            out.add(all.subList(i, Math.min(all.size(), i + ROWS_PER_STATEMENT)));
        }
        return out;
    }

    private static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
