package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendProvider;

import java.util.Set;

/** {@code sqlite:PATH}: the embedded default. */
public final class SqliteBackendProvider implements BackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("sqlite");
    }

    @Override
    public Backend open(String uri) {
        return Opener.sqliteUri(uri);
    }
}
