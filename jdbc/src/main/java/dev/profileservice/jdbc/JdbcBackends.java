package dev.profileservice.jdbc;

import dev.profileservice.jdbc.internal.Opener;
import dev.profileservice.spi.Backend;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * JDBC backends as objects, for users who configure the connection themselves. The URI forms
 * ({@code sqlite:PATH}, {@code postgresql://...}, {@code mariadb://...}, {@code mysql://...}) are
 * found by {@code ProfileService.builder().backend(uri)} without this class.
 *
 * <pre>{@code
 * HikariDataSource pool = ...;                       // your pool, your credentials
 * ProfileService service = ProfileService.builder()
 *         .backend(JdbcBackends.postgres(pool))
 *         .build();
 * }</pre>
 *
 * <p>Each factory connects once, creates the tables if they are missing (see the module README)
 * and fails with a {@code BackendException} if the database cannot be reached or its schema is
 * newer than this library. A backend made from a user's {@link DataSource} never closes it.
 *
 * <h2>Threads</h2>
 * The returned backends are thread-safe; every call blocks its caller for the statements it sends.
 * Their message buses run one daemon thread each.
 */
public final class JdbcBackends {
    private JdbcBackends() {}

    /**
     * An embedded SQLite store in {@code file} (created with its parent directories if missing), in
     * WAL mode with a 5 s busy timeout, so that several JVM processes on this host can share it.
     */
    public static Backend sqlite(Path file) {
        Objects.requireNonNull(file, "file");
        return Opener.sqlite(file, "sqlite:" + file, new HashMap<>());
    }

    /**
     * PostgreSQL (12+) through the caller's pool. The message bus holds one connection of the pool
     * for LISTEN, so size the pool one larger than your own needs.
     */
    public static Backend postgres(DataSource dataSource) {
        return Opener.postgres(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /**
     * MariaDB (10.5+) through the caller's pool. Its connections must allow multi-statement queries
     * ({@code allowMultiQueries=true} for the MariaDB driver): each atomic operation is one
     * multi-statement round trip.
     */
    public static Backend mariadb(DataSource dataSource) {
        return Opener.mariadb(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** MySQL (8.0+) through the caller's pool; the same requirements as {@link #mariadb(DataSource)}. */
    public static Backend mysql(DataSource dataSource) {
        return mariadb(dataSource);
    }
}
