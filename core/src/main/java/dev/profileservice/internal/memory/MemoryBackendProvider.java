package dev.profileservice.internal.memory;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendProvider;
import java.time.Clock;
import java.util.Set;

/** {@code memory:} (private) and {@code memory:NAME} (shared in this JVM). */
public final class MemoryBackendProvider implements BackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public Backend open(String uri) {
        return open(uri, Clock.systemUTC());
    }

    /** Opens {@code uri} with {@code clock} as the lease clock of a store it creates (the service's clock). */
    public static MemoryBackend open(String uri, Clock clock) {
        String name = uri.substring(uri.indexOf(':') + 1);
        return name.isEmpty() ? new MemoryBackend(clock) : MemoryBackend.named(name, clock);
    }
}
