package dev.profileservice.redis;

import dev.profileservice.spi.Backend;
import dev.profileservice.testkit.ProfileServiceConformanceTest;
import org.junit.jupiter.api.extension.ExtendWith;

/** The testkit's public-API conformance suite with every server on the real Redis. */
@ExtendWith(RedisTestPrefix.class)
class RedisConformanceTest extends ProfileServiceConformanceTest {
    @Override
    protected Backend openBackend() {
        return RedisTestPrefix.open(getClass());
    }
}
