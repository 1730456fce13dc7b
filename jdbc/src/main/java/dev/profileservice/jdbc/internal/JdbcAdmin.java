package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcBackend.PROFILES;
import static dev.profileservice.jdbc.internal.JdbcBackend.QUARANTINE;
import static dev.profileservice.jdbc.internal.JdbcBackend.SERVERS;
import static dev.profileservice.jdbc.internal.JdbcBackend.UPDATES;
import static dev.profileservice.jdbc.internal.JdbcConnections.prepare;

import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.QuarantinedCopy;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The administrative operations of a JDBC store ({@link JdbcBackend#admin()}): listings and repairs
 * that are plain SQL in every dialect, and the dialect's own forced release. Each call borrows a
 * connection of its backend, reports its round trips there and fails as the backend's own
 * operations do.
 *
 * <h2>Threads</h2>
 * Every method blocks the calling thread for its statements; any number of threads may call at once.
 */
final class JdbcAdmin implements BackendAdmin {
    private final JdbcBackend backend;

    JdbcAdmin(JdbcBackend backend) {
        this.backend = backend;
    }

    @Override
    public List<ServerLease> servers() {
        return backend.withConnection("servers", c -> {
            try (PreparedStatement ps =
                    prepare(c, "SELECT " + backend.leaseColumns() + " FROM " + SERVERS + " ORDER BY server_id")) {
                backend.roundTrip("servers");
                List<ServerLease> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(JdbcBackend.lease(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public int quarantineCount(String store, String key) {
        return backend.withConnection("quarantineCount", c -> {
            try (PreparedStatement ps =
                    prepare(c, "SELECT COUNT(*) FROM " + QUARANTINE + " WHERE store = ? AND pkey = ?", store, key)) {
                backend.roundTrip("quarantineCount");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public List<QuarantinedCopy> quarantined(String store, String key) {
        return backend.withConnection("quarantined", c -> {
            try (PreparedStatement ps = prepare(
                    c,
                    "SELECT payload, reason, at_millis FROM " + QUARANTINE
                            + " WHERE store = ? AND pkey = ? ORDER BY id",
                    store,
                    key)) {
                backend.roundTrip("quarantined");
                List<QuarantinedCopy> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new QuarantinedCopy(rs.getBytes(1), rs.getString(2), rs.getLong(3)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public StoredProfile forceRelease(String store, String key) {
        return backend.forceRelease(store, key);
    }

    /** The quarantined copies, the updates and the record in one transaction: four round trips with the COMMIT. */
    @Override
    public boolean delete(String store, String key) {
        return backend.write(
                "delete",
                c -> JdbcConnections.inTransaction(c, tx -> {
                    int n = 0;
                    for (String table :
                            List.of(QUARANTINE, UPDATES, JdbcBackend.VERSIONS, JdbcBackend.USER_IDS, PROFILES)) {
                        try (PreparedStatement ps =
                                prepare(tx, "DELETE FROM " + table + " WHERE store = ? AND pkey = ?", store, key)) {
                            backend.roundTrip("delete");
                            n = ps.executeUpdate(); // the last is the record
                        }
                    }
                    backend.roundTrip("delete"); // the COMMIT inTransaction sends next
                    return n > 0;
                }));
    }

    @Override
    public List<String> keysOfUser(String store, long userId) {
        return keyColumn(
                "keysOfUser",
                "SELECT pkey FROM " + JdbcBackend.USER_IDS + " WHERE store = ? AND user_id = ? ORDER BY pkey",
                store,
                userId);
    }

    /** One query; the primary key {@code (store, pkey)} serves the DISTINCT in order. */
    @Override
    public List<String> stores() {
        return keyColumn("stores", "SELECT DISTINCT store FROM " + PROFILES + " ORDER BY store");
    }

    @Override
    public List<String> keys(String store, String afterKey, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        String sql = "SELECT pkey FROM " + PROFILES + " WHERE store = ?" + (afterKey == null ? "" : " AND pkey > ?")
                + " ORDER BY pkey LIMIT ?";
        return afterKey == null ? keyColumn("keys", sql, store, limit) : keyColumn("keys", sql, store, afterKey, limit);
    }

    /** The first column of every row {@code sql} selects: keys, in the query's order. */
    private List<String> keyColumn(String op, String sql, Object... args) {
        return backend.withConnection(op, c -> {
            try (PreparedStatement ps = prepare(c, sql, args)) {
                backend.roundTrip(op);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<SessionInfo> sessions(String store) {
        return backend.withConnection("sessions", c -> {
            try (PreparedStatement ps = prepare(
                    c,
                    "SELECT pkey, epoch, owner_server, owner_place, owner_job FROM " + PROFILES
                            + " WHERE store = ? AND owner_server IS NOT NULL ORDER BY pkey",
                    store)) {
                backend.roundTrip("sessions");
                List<SessionInfo> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new SessionInfo(rs.getString("pkey"), rs.getLong("epoch"), JdbcBackend.owner(rs)));
                    }
                }
                return out;
            }
        });
    }
}
