package dev.profileservice.micrometer;

import dev.profileservice.internal.memory.MemoryBackend;
import dev.profileservice.spi.Backend;
import java.util.UUID;

/** {@link MetricsScenarios} on the {@code memory:} store, leases in the test's virtual time. */
class MetricsMemoryTest extends MetricsScenarios {
    private final String name = "metrics-" + UUID.randomUUID();

    @Override
    protected Backend openBackend() {
        return MemoryBackend.named(name, vt.clock());
    }

    @Override
    protected String expectedBackendKind() {
        return "memory";
    }
}
