package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendProvider;

import java.util.Set;

/** {@code mariadb://user:pass@host:port/db} and {@code mysql://...}, both through the MariaDB driver. */
public final class MariadbBackendProvider implements BackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("mariadb", "mysql");
    }

    @Override
    public Backend open(String uri) {
        return Opener.mariadbUri(uri);
    }
}
