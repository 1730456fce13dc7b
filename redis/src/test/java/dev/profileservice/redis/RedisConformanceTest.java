package dev.profileservice.redis;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.testkit.ProfileServiceConformanceTest;
import org.junit.jupiter.api.AfterAll;

/** The testkit's public-API conformance suite with every server on the real Redis. */
class RedisConformanceTest extends ProfileServiceConformanceTest {
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
