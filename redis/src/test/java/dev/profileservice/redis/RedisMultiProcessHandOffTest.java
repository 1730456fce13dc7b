package dev.profileservice.redis;

import dev.profileservice.testkit.MultiProcessHandOffTest;
import org.junit.jupiter.api.AfterAll;

/** Two JVM processes hand one profile back and forth through the real Redis (testkit suite). */
class RedisMultiProcessHandOffTest extends MultiProcessHandOffTest {
    private static final String PREFIX = RedisTestSupport.uniquePrefix();

    @Override
    protected String backendUri() {
        return RedisTestSupport.uri(PREFIX);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.deleteAll(PREFIX);
    }
}
