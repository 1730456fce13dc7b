package dev.profileservice.internal.memory;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendProvider;

import java.util.Set;

/** {@code memory:} (private) and {@code memory:NAME} (shared in this JVM). */
public final class MemoryBackendProvider implements BackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public Backend open(String uri) {
        String name = uri.substring(uri.indexOf(':') + 1);
        return name.isEmpty() ? new MemoryBackend() : MemoryBackend.named(name);
    }
}
