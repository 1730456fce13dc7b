package dev.profileservice.micrometer;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import java.util.UUID;

/**
 * {@link MetricsScenarios} on a named {@code memory:} store shared by the test's servers. Opened by
 * URI (the engine's memory classes are not exported to this module), so leases run by the system
 * clock; no scenario here waits for a lease to run out.
 */
class MetricsMemoryTest extends MetricsScenarios {
    private final String name = "metrics-" + UUID.randomUUID();

    @Override
    protected Backend openBackend() {
        return Backends.open("memory:" + name);
    }

    @Override
    protected String expectedBackendKind() {
        return "memory";
    }
}
