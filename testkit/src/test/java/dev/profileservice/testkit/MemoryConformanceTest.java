package dev.profileservice.testkit;

import dev.profileservice.internal.memory.MemoryBackend;
import dev.profileservice.spi.Backend;
import java.util.UUID;

/** The conformance suite on the {@code memory:} backend. */
class MemoryConformanceTest extends ProfileServiceConformanceTest {

    private final String name = "conformance-" + UUID.randomUUID();

    @Override
    protected Backend openBackend() {
        return MemoryBackend.named(name, vt.clock()); // the store judges leases in the test's virtual time
    }
}
