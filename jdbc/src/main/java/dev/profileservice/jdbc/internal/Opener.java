package dev.profileservice.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.BackendUris;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.StoreUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Builds backends from URIs (with a HikariCP pool this library owns) or from a user's
 * {@link DataSource} (which stays the user's: the backend never closes it). Every failure is a
 * {@link BackendException} that names the URI with its password masked.
 */
public final class Opener {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private Opener() {}

    // ---------------------------------------------------------------- SQLite

    /** {@code sqlite:PATH[?busyTimeout=ms&synchronous=FULL|NORMAL&poolSize=n&pollMillis=ms]}. */
    public static Backend sqliteUri(String uri) {
        String rest = uri.substring(uri.indexOf(':') + 1);
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        Map<String, String> params = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (!pair.isEmpty()) {
                    params.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
                }
            }
            rest = rest.substring(0, q);
        }
        if (rest.isBlank()) {
            throw new BackendException(
                    "store URI '" + BackendUris.mask(uri)
                            + "' names no file; expected sqlite:PATH, e.g. sqlite:profiles.db",
                    false);
        }
        if (rest.startsWith(":memory:") || rest.startsWith("file::memory:")) {
            throw new BackendException(
                    "store URI '" + uri + "': in-memory SQLite is not supported (every pooled connection would see "
                            + "its own database); use memory: or a file",
                    false);
        }
        return sqlite(Path.of(rest), uri, params);
    }

    /** A SQLite backend on {@code file} with the given options (see {@link #sqliteUri}). */
    public static Backend sqlite(Path file, String description, Map<String, String> params) {
        return sqlite(file, description, params, null);
    }

    /** The SQL function a SQLite store opened with a lease clock reads the time from. */
    static final String SIM_NOW = "ps_now()";

    /**
     * A SQLite backend whose leases run by {@code leaseClock} (the testkit's simulation, in virtual
     * time): every connection defines {@value #SIM_NOW} over it. Null: the host's clock, as always.
     */
    public static Backend sqlite(Path file, String description, Map<String, String> params, Clock leaseClock) {
        int busyTimeout = intParam(params, "busyTimeout", 5_000, description);
        int poolSize = intParam(params, "poolSize", 4, description);
        int pollMillis = intParam(params, "pollMillis", 50, description);
        String synchronous = params.getOrDefault("synchronous", "FULL").toUpperCase(java.util.Locale.ROOT);
        params.remove("synchronous");
        if (!params.isEmpty()) {
            throw new BackendException(
                    "store URI '" + description + "': unknown parameter(s) " + params.keySet()
                            + "; known: busyTimeout, synchronous, poolSize, pollMillis",
                    false);
        }
        HikariDataSource pool = null;
        try {
            Path abs = file.toAbsolutePath().normalize();
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
                abs = abs.getParent().toRealPath().resolve(abs.getFileName());
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setBusyTimeout(busyTimeout);
            config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(synchronous));
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            SQLiteDataSource ds = leaseClock == null ? new SQLiteDataSource(config) : withNow(config, leaseClock);
            ds.setUrl("jdbc:sqlite:" + abs);
            HikariConfig hc = new HikariConfig();
            hc.setDataSource(ds);
            hc.setPoolName("profileservice-sqlite-" + POOLS.incrementAndGet());
            hc.setMaximumPoolSize(poolSize);
            hc.setMinimumIdle(1);
            hc.setConnectionTimeout(Math.max(busyTimeout, 1_000));
            pool = new HikariDataSource(hc);
            return new SqliteBackend(
                    new JdbcBackend.Pool(pool, pool, "sqlite:" + abs, null, null),
                    abs.toString(),
                    pollMillis,
                    busyTimeout,
                    leaseClock == null ? SqliteBackend.NOW_MILLIS : SIM_NOW,
                    leaseClock == null ? LeaseClock.HOST : LeaseClock.SERVICE);
        } catch (BackendException e) {
            closeQuietly(pool);
            throw new BackendException("cannot open " + description + ": " + e.getMessage(), e.isTransient(), e);
        } catch (Exception e) {
            closeQuietly(pool);
            throw new BackendException(
                    "cannot open " + description + ": " + e.getMessage(), SqlErrors.isTransient(e), e);
        }
    }

    // ---------------------------------------------------------------- PostgreSQL

    /** {@code postgresql://user:pass@host:port/db?...}. */
    public static Backend postgresUri(String uri) {
        StoreUri u = serverUri(uri, 5432);
        int poolSize = u.takeInt("poolSize", 10);
        int connectionTimeout = u.takeInt("connectionTimeout", DEFAULT_CONNECTION_TIMEOUT_MS);
        Properties props = new Properties();
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MS / 1000));
        props.setProperty("socketTimeout", "30");
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "profileservice");
        props.putAll(u.params());
        return onOwnPool(
                u,
                new org.postgresql.Driver(),
                "jdbc:postgresql://" + u.host() + "/" + u.path(),
                props,
                "postgresql",
                poolSize,
                connectionTimeout,
                (pool, direct) ->
                        new PostgresBackend(new JdbcBackend.Pool(pool, pool, u.masked(), u.password(), direct)));
    }

    /** PostgreSQL on a user's pool; the LISTEN connection is borrowed from it and held. */
    public static Backend postgres(DataSource ds) {
        String description = "postgresql DataSource " + ds.getClass().getSimpleName();
        try {
            return new PostgresBackend(new JdbcBackend.Pool(ds, null, description, null, ds::getConnection));
        } catch (Exception e) {
            throw openFailure(description, null, e);
        }
    }

    // ---------------------------------------------------------------- MariaDB / MySQL

    /** {@code mariadb://user:pass@host:port/db?...} and {@code mysql://...}, through the MariaDB driver. */
    public static Backend mariadbUri(String uri) {
        StoreUri u = serverUri(uri, 3306);
        int poolSize = u.takeInt("poolSize", 10);
        int connectionTimeout = u.takeInt("connectionTimeout", DEFAULT_CONNECTION_TIMEOUT_MS);
        int pollMillis = u.takeInt("pollMillis", 50);
        Properties props = new Properties();
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MS));
        props.setProperty("socketTimeout", "30000");
        props.setProperty("tcpKeepAlive", "true");
        props.putAll(u.params());
        props.setProperty("allowMultiQueries", "true"); // after the user's: every operation is a multi-statement text
        return onOwnPool(
                u,
                new org.mariadb.jdbc.Driver(),
                "jdbc:mariadb://" + u.host() + "/" + u.path(),
                props,
                u.scheme(),
                poolSize,
                connectionTimeout,
                (pool, direct) -> new MariadbBackend(
                        new JdbcBackend.Pool(pool, pool, u.masked(), u.password(), direct), pollMillis));
    }

    /** MariaDB/MySQL on a user's pool, which must allow multi-statement queries. */
    public static Backend mariadb(DataSource ds) {
        String description = "mariadb DataSource " + ds.getClass().getSimpleName();
        try {
            return new MariadbBackend(new JdbcBackend.Pool(ds, null, description, null, null), 50);
        } catch (Exception e) {
            throw openFailure(description, null, e);
        }
    }

    // ---------------------------------------------------------------- server databases

    /**
     * Parses {@code scheme://[user[:password]@]host[:port]/database[?...]}: one host, one database.
     * A malformed URI fails naming it with its password masked.
     */
    private static StoreUri serverUri(String uri, int defaultPort) {
        StoreUri u = StoreUri.parse(uri, defaultPort);
        if (u.hosts().size() != 1) {
            throw new BackendException(
                    "store URI '" + u.masked() + "' names " + u.hosts().size() + " hosts; give one", false);
        }
        if (u.path().isEmpty() || u.path().contains("/")) {
            throw new BackendException(
                    "store URI '" + u.masked() + "' must name one database after the host, e.g. " + u.scheme()
                            + "://user@host:port/mydb",
                    false);
        }
        return u;
    }

    /** Makes the backend of a dialect once its pool exists. */
    @FunctionalInterface
    private interface BackendOnPool {
        Backend create(HikariDataSource pool, DirectConnections direct) throws Exception;
    }

    /**
     * Opens a HikariCP pool of this library on {@code jdbcUrl} with the driver properties
     * {@code props} and the URI's credentials, tuned to {@link #recoverFast recover fast}, and the
     * backend on it; the backend may also connect through {@code driver} directly, with the same
     * settings. If anything fails the pool is closed and the failure names the URI, masked.
     */
    private static Backend onOwnPool(
            StoreUri u,
            Driver driver,
            String jdbcUrl,
            Properties props,
            String poolKind,
            int poolSize,
            int connectionTimeout,
            BackendOnPool backend) {
        Properties directProps = new Properties();
        directProps.putAll(props);
        if (u.user() != null) {
            directProps.setProperty("user", u.user());
        }
        if (u.password() != null) {
            directProps.setProperty("password", u.password());
        }
        HikariDataSource pool = null;
        try {
            HikariConfig hc = new HikariConfig();
            hc.setDriverClassName(driver.getClass().getName());
            hc.setJdbcUrl(jdbcUrl);
            if (u.user() != null) {
                hc.setUsername(u.user());
            }
            if (u.password() != null) {
                hc.setPassword(u.password());
            }
            hc.setDataSourceProperties(props);
            hc.setPoolName("profileservice-" + poolKind + "-" + POOLS.incrementAndGet());
            hc.setMaximumPoolSize(poolSize);
            recoverFast(hc, connectionTimeout);
            pool = new HikariDataSource(hc);
            return backend.create(pool, () -> {
                Connection c = driver.connect(jdbcUrl, directProps);
                if (c == null) {
                    throw new SQLException("driver refused URL " + jdbcUrl, "08001");
                }
                return c;
            });
        } catch (Exception e) {
            closeQuietly(pool);
            throw openFailure(u.masked(), u.password(), e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static BackendException openFailure(String masked, String secret, Exception e) {
        String message = String.valueOf(e.getMessage());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message = message + " (" + root.getMessage() + ")";
        }
        if (secret != null && !secret.isEmpty()) {
            message = message.replace(secret, "****");
        }
        boolean transientFailure = e instanceof BackendException b ? b.isTransient() : SqlErrors.isTransient(e);
        return new BackendException(
                "cannot open " + masked + ": " + message, transientFailure, secret == null ? e : null);
    }

    private static int intParam(Map<String, String> params, String name, int def, String where) {
        String v = params.remove(name);
        return v == null ? def : StoreUri.wholeNumber(BackendUris.mask(where), name, v);
    }

    /**
     * How long a call waits for a pooled connection by default. Kept short because HikariCP also
     * derives from it the pause between its attempts to reconnect after the database was
     * unreachable (up to half of it), and saves should resume within moments of the database's
     * return, not seconds after it.
     */
    static final int DEFAULT_CONNECTION_TIMEOUT_MS = 2_000;
    /** The drivers' TCP connect timeout: a connect to an unreachable host holds a reconnect attempt this long. */
    static final int CONNECT_TIMEOUT_MS = 2_000;

    /** Pool settings for coming back fast after an outage: dead connections are tested and replaced within a second. */
    private static void recoverFast(HikariConfig hc, int connectionTimeout) {
        hc.setConnectionTimeout(connectionTimeout);
        hc.setValidationTimeout(Math.max(250, Math.min(1_000, connectionTimeout - 1)));
    }

    /** A data source whose connections define {@value #SIM_NOW}: {@code clock}'s epoch milliseconds. */
    private static SQLiteDataSource withNow(SQLiteConfig config, Clock clock) {
        return new SQLiteDataSource(config) {
            @Override
            public org.sqlite.SQLiteConnection getConnection(String user, String password) throws SQLException {
                org.sqlite.SQLiteConnection c = super.getConnection(user, password);
                org.sqlite.Function.create(c, "ps_now", new org.sqlite.Function() {
                    @Override
                    protected void xFunc() throws SQLException {
                        result(clock.millis());
                    }
                });
                return c;
            }
        };
    }

    private static void closeQuietly(HikariDataSource pool) {
        if (pool != null) {
            try {
                pool.close();
            } catch (RuntimeException ignored) {
                // nothing more to do
            }
        }
    }
}
