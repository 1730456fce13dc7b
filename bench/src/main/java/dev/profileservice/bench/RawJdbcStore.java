package dev.profileservice.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * The raw baseline over JDBC with a HikariCP pool: one table {@code (k, epoch, owner, payload)}, a
 * conditional {@code UPDATE ... WHERE k=? AND epoch=? AND owner=?} per save (autocommit, one round
 * trip), and an acquire that is {@code UPDATE ... RETURNING} where the database has it (PostgreSQL,
 * SQLite: one round trip) or {@code UPDATE} then {@code SELECT} (MariaDB: two). Thread-safe.
 */
public final class RawJdbcStore extends CountedRawStore {

    /** The SQL flavour. */
    public enum Dialect {
        SQLITE,
        POSTGRESQL,
        MARIADB
    }

    private final Dialect dialect;
    private final HikariDataSource pool;
    private final String table =
            "psbench_raw_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final LongAdder busyRetries = new LongAdder();
    private final String description;

    /**
     * @param jdbcUrl  e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
     * @param poolSize connections in the pool
     */
    public RawJdbcStore(Dialect dialect, String jdbcUrl, int poolSize) {
        this.dialect = dialect;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(poolSize);
        config.setPoolName("psbench-raw");
        config.setAutoCommit(true);
        if (dialect == Dialect.SQLITE) {
            // The same settings as the library's SQLite backend: WAL, synchronous FULL, 5 s busy timeout.
            config.setConnectionInitSql("PRAGMA busy_timeout=5000");
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "FULL");
        }
        this.pool = new HikariDataSource(config);
        this.description =
                dialect.name().toLowerCase(Locale.ROOT) + " via HikariCP (pool " + poolSize + "), conditional UPDATE";
        String blob = switch (dialect) {
            case SQLITE -> "BLOB";
            case POSTGRESQL -> "BYTEA";
            case MARIADB -> "LONGBLOB";
        };
        execute("CREATE TABLE " + table + " (k VARCHAR(200) NOT NULL PRIMARY KEY, epoch BIGINT NOT NULL, "
                + "owner VARCHAR(100), payload " + blob + ")");
    }

    @Override
    public String describe() {
        return description;
    }

    private void execute(String sql) {
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("raw baseline: '" + sql + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void prepare(List<String> keys, byte[] payload) {
        String sql = switch (dialect) {
            case SQLITE ->
                "INSERT INTO " + table + " (k, epoch, owner, payload) VALUES (?, 0, NULL, ?) "
                        + "ON CONFLICT (k) DO UPDATE SET owner = NULL, payload = excluded.payload";
            case POSTGRESQL ->
                "INSERT INTO " + table + " (k, epoch, owner, payload) VALUES (?, 0, NULL, ?) "
                        + "ON CONFLICT (k) DO UPDATE SET owner = NULL, payload = EXCLUDED.payload";
            case MARIADB ->
                "INSERT INTO " + table + " (k, epoch, owner, payload) VALUES (?, 0, NULL, ?) "
                        + "ON DUPLICATE KEY UPDATE owner = NULL, payload = VALUES(payload)";
        };
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int n = 0;
                for (String key : keys) {
                    ps.setString(1, key);
                    ps.setBytes(2, payload);
                    ps.addBatch();
                    if (++n % 500 == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "raw baseline: preparing " + keys.size() + " rows failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Session acquire(String key, String owner) {
        try (Connection c = pool.getConnection()) {
            if (dialect == Dialect.MARIADB) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE " + table + " SET epoch = epoch + 1, owner = ? WHERE k = ? AND owner IS NULL")) {
                    ps.setString(1, owner);
                    ps.setString(2, key);
                    roundTrip();
                    if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException("raw baseline: " + key + " is owned or missing");
                    }
                }
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT epoch, payload FROM " + table + " WHERE k = ?")) {
                    ps.setString(1, key);
                    roundTrip();
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return new Session(key, owner, rs.getLong(1), rs.getBytes(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
                    + " SET epoch = epoch + 1, owner = ? WHERE k = ? AND owner IS NULL RETURNING epoch, payload")) {
                ps.setString(1, owner);
                ps.setString(2, key);
                roundTrip();
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("raw baseline: " + key + " is owned or missing");
                    }
                    return new Session(key, owner, rs.getLong(1), rs.getBytes(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("raw baseline: acquire of " + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean save(Session s, byte[] payload) {
        return write("UPDATE " + table + " SET payload = ? WHERE k = ? AND epoch = ? AND owner = ?", s, payload);
    }

    @Override
    public boolean release(Session s, byte[] payload) {
        return write(
                "UPDATE " + table + " SET payload = ?, owner = NULL WHERE k = ? AND epoch = ? AND owner = ?",
                s,
                payload);
    }

    private boolean write(String sql, Session s, byte[] payload) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setBytes(1, payload);
                ps.setString(2, s.key());
                ps.setLong(3, s.epoch());
                ps.setString(4, s.owner());
                roundTrip();
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                // What a careful user does with SQLite: a write that outwaited the busy timeout is tried again.
                if (dialect == Dialect.SQLITE
                        && attempt < 10
                        && String.valueOf(e.getMessage()).contains("SQLITE_BUSY")) {
                    busyRetries.increment();
                    continue;
                }
                throw new IllegalStateException("raw baseline: write of " + s.key() + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** SQLite writes that hit SQLITE_BUSY after the busy timeout and were tried again. */
    public long busyRetries() {
        return busyRetries.sum();
    }

    @Override
    public void close() {
        try {
            execute("DROP TABLE " + table);
        } finally {
            pool.close();
        }
    }
}
