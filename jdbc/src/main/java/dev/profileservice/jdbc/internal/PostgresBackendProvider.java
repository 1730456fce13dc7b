package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendProvider;

import java.util.Set;

/** {@code postgresql://user:pass@host:port/db} (also {@code postgres://}). */
public final class PostgresBackendProvider implements BackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("postgresql", "postgres");
    }

    @Override
    public Backend open(String uri) {
        return Opener.postgresUri(uri);
    }
}
