package dev.profileservice.jdbc.internal;

import static dev.profileservice.jdbc.internal.JdbcBackend.VERSIONS;
import static dev.profileservice.jdbc.internal.JdbcConnections.prepare;

import dev.profileservice.spi.Owner;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.spi.VersionPage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The version history of a JDBC store ({@link VersionHistory}), the same SQL in every dialect.
 * Versions are written by the trigger of {@code ps_profiles} in the statement that saves (see
 * {@link JdbcLayout}, layout 3); this class reads, pins, prunes them, and writes the rollback
 * through {@link JdbcInbox#overwrite} (a transaction, since it may clear pending updates).
 *
 * <h2>Threads</h2>
 * Stateless apart from its backend; every method borrows a connection on the calling thread.
 */
final class JdbcHistory implements VersionHistory {
    private static final String COLUMNS =
            "revision, saved_at, cause, writer_server, writer_place, writer_job, payload_size, pinned, payload";

    private final JdbcBackend backend;

    JdbcHistory(JdbcBackend backend) {
        this.backend = backend;
    }

    @Override
    public List<StoredVersion> versions(String store, String key, VersionPage page) {
        boolean descending = page.descending();
        long after = page.afterRevision() >= 0 ? page.afterRevision() : descending ? Long.MAX_VALUE : -1;
        String sql = "SELECT " + COLUMNS + " FROM " + VERSIONS
                + " WHERE store = ? AND pkey = ? AND revision " + (descending ? "<" : ">")
                + " ? AND saved_at >= ? AND saved_at <= ? ORDER BY revision " + (descending ? "DESC" : "ASC")
                + " LIMIT ?";
        return backend.withConnection("versions", c -> {
            try (PreparedStatement ps =
                    prepare(c, sql, store, key, after, page.minMillis(), page.maxMillis(), page.limit())) {
                backend.roundTrip("versions");
                List<StoredVersion> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(version(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Optional<StoredVersion> version(String store, String key, long revision) {
        return backend.withConnection("version", c -> {
            try (PreparedStatement ps = prepare(
                    c,
                    "SELECT " + COLUMNS + " FROM " + VERSIONS + " WHERE store = ? AND pkey = ? AND revision = ?",
                    store,
                    key,
                    revision)) {
                backend.roundTrip("version");
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(version(rs)) : Optional.<StoredVersion>empty();
                }
            }
        });
    }

    @Override
    public boolean setPinned(String store, String key, long revision, boolean pinned) {
        return backend.write("setPinned", c -> {
            try (PreparedStatement ps = prepare(
                    c,
                    "UPDATE " + VERSIONS + " SET pinned = ? WHERE store = ? AND pkey = ? AND revision = ?",
                    pinned ? 1 : 0,
                    store,
                    key,
                    revision)) {
                backend.roundTrip("setPinned");
                return ps.executeUpdate() > 0;
            }
        });
    }

    /**
     * Two bounded deletes, each its own statement (pruning is off the save path and may interleave
     * with saves: it only ever removes versions older than the ones it keeps): first by count below
     * the newest {@code keepNewest}, then by age below the newest version.
     */
    @Override
    public int prune(String store, String key, int keepNewest, Duration maxAge) {
        return backend.write("prune", c -> {
            int deleted = 0;
            if (keepNewest > 0) {
                Long threshold = nthNewest(c, store, key, keepNewest);
                if (threshold != null) {
                    deleted += delete(c, "revision < ?", store, key, threshold);
                }
            }
            if (!maxAge.isZero()) {
                Long newest = nthNewest(c, store, key, 1);
                if (newest != null) {
                    deleted += delete(
                            c,
                            "revision < ? AND saved_at < " + backend.nowMillis + " - ?",
                            store,
                            key,
                            newest,
                            maxAge.toMillis());
                }
            }
            return deleted;
        });
    }

    /** The revision of the {@code n}th newest version, or null if there are fewer. */
    private Long nthNewest(Connection c, String store, String key, int n) throws SQLException {
        try (PreparedStatement ps = prepare(
                c,
                "SELECT revision FROM " + VERSIONS
                        + " WHERE store = ? AND pkey = ? ORDER BY revision DESC LIMIT 1 OFFSET ?",
                store,
                key,
                n - 1)) {
            backend.roundTrip("prune");
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private int delete(Connection c, String condition, String store, String key, Object... args) throws SQLException {
        List<Object> all = new ArrayList<>(List.of(store, key));
        all.addAll(List.of(args));
        try (PreparedStatement ps = prepare(
                c,
                "DELETE FROM " + VERSIONS + " WHERE store = ? AND pkey = ? AND pinned = 0 AND " + condition,
                all.toArray())) {
            backend.roundTrip("prune");
            return ps.executeUpdate();
        }
    }

    @Override
    public StoredProfile overwrite(
            String store, String key, byte[] payload, boolean clearUpdates, VersionCause cause, List<Long> userIds) {
        String ids = userIds == null ? null : userIds.toString().replace(" ", "");
        return backend.write(
                "overwrite", c -> backend.inbox.overwrite(c, store, key, payload, clearUpdates, cause.label(), ids));
    }

    private static StoredVersion version(ResultSet rs) throws SQLException {
        String server = rs.getString("writer_server");
        Owner writer = server == null
                ? null
                : new Owner(
                        server,
                        JdbcBackend.nz(rs.getString("writer_place")),
                        JdbcBackend.nz(rs.getString("writer_job")));
        return new StoredVersion(
                rs.getLong("revision"),
                rs.getLong("saved_at"),
                VersionCause.ofLabel(rs.getString("cause")),
                writer,
                rs.getInt("payload_size"),
                rs.getInt("pinned") != 0,
                rs.getBytes("payload"));
    }
}
