package dev.profileservice.redis;

import dev.profileservice.testkit.MultiProcessHandOffTest;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two JVM processes hand one profile back and forth through the real Redis (testkit suite). */
@ExtendWith(RedisTestPrefix.class)
class RedisMultiProcessHandOffTest extends MultiProcessHandOffTest {
    @Override
    protected String backendUri() {
        return RedisTestPrefix.uri(getClass());
    }
}
