package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendProvider;
import dev.profileservice.spi.BackendUris;
import java.util.Set;

/**
 * The URI schemes of the JDBC stores, registered through {@code META-INF/services} and
 * {@code module-info}: {@code sqlite:PATH} (the embedded default),
 * {@code postgresql://user:pass@host:port/db} (also {@code postgres://}), and
 * {@code mariadb://...} and {@code mysql://...}, both through the MariaDB driver. Stateless;
 * {@link #open} blocks the calling thread while it connects and creates the schema.
 */
public final class JdbcBackendProvider implements BackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("sqlite", "postgresql", "postgres", "mariadb", "mysql");
    }

    @Override
    public Backend open(String uri) {
        return switch (BackendUris.scheme(uri)) {
            case "sqlite" -> Opener.sqliteUri(uri);
            case "postgresql", "postgres" -> Opener.postgresUri(uri);
            case "mariadb", "mysql" -> Opener.mariadbUri(uri);
            default -> throw new IllegalArgumentException("not a JDBC store URI: '" + BackendUris.mask(uri) + "'");
        };
    }
}
