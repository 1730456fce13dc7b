package dev.profileservice.redis;

import dev.profileservice.spi.Backend;
import dev.profileservice.testkit.BackendContractTest;
import org.junit.jupiter.api.extension.ExtendWith;

/** The testkit's Backend contract against the real Redis, under a key prefix unique to this run. */
@ExtendWith(RedisTestPrefix.class)
class RedisBackendContractTest extends BackendContractTest {
    @Override
    protected Backend openBackend() {
        return RedisTestPrefix.open(getClass());
    }
}
