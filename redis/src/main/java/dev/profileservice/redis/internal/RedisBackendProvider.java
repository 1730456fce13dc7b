package dev.profileservice.redis.internal;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendProvider;
import java.util.Set;

/**
 * {@code redis://[user:password@]host[:port][/database][?timeout=5s&prefix=ps&cluster=true]} and
 * {@code rediss://...} (TLS); {@code cluster=true} treats the host as the seed of a Redis Cluster. Registered through {@code META-INF/services}. Opening connects and
 * PINGs the server; failures name the URI with its password masked. Stateless and thread-safe;
 * {@link #open} blocks the calling thread for at most the connect and command timeouts.
 */
public final class RedisBackendProvider implements BackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.copyOf(RedisConnector.SCHEMES);
    }

    @Override
    public Backend open(String uri) {
        return RedisConnector.open(uri);
    }
}
