package dev.profileservice.testkit;

import dev.profileservice.internal.memory.MemoryBackend;
import dev.profileservice.spi.Backend;
import java.util.UUID;

/** The backend contract on the reference {@code memory:} backend. */
class MemoryBackendContractTest extends BackendContractTest {

    private final String name = "contract-" + UUID.randomUUID();

    @Override
    protected Backend openBackend() {
        return MemoryBackend.named(name, serviceClock.clock());
    }
}
