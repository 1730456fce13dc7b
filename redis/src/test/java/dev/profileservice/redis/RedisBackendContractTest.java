package dev.profileservice.redis;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.testkit.BackendContractTest;
import org.junit.jupiter.api.AfterAll;

/** The testkit's Backend contract against the real Redis, under a key prefix unique to this run. */
class RedisBackendContractTest extends BackendContractTest {
    private static final String PREFIX = RedisTestSupport.uniquePrefix();

    @Override
    protected Backend openBackend() {
        return Backends.open(RedisTestSupport.uri(PREFIX));
    }

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.deleteAll(PREFIX);
    }
}
