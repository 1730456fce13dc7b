package dev.profileservice.redis;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A key prefix of each test class's own, for the testkit suites run on Redis: {@link #uri} and
 * {@link #open} give a class the same fresh prefix ({@link RedisTestSupport#uniquePrefix}) every
 * time, and, registered on the class with {@code @ExtendWith}, this deletes every key under it once
 * the class's tests and {@code @AfterAll} methods are done. JUnit calls it on the thread that runs
 * the class; the prefixes are kept in a concurrent map, so tests may ask from any thread.
 */
final class RedisTestPrefix implements AfterAllCallback {
    private static final Map<Class<?>, String> PREFIXES = new ConcurrentHashMap<>();

    /** The test server's URI with the prefix of {@code testClass}. */
    static String uri(Class<?> testClass) {
        return RedisTestSupport.uri(PREFIXES.computeIfAbsent(testClass, c -> RedisTestSupport.uniquePrefix()));
    }

    /** A new backend on the test server under the prefix of {@code testClass}. */
    static Backend open(Class<?> testClass) {
        return Backends.open(uri(testClass));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String prefix = PREFIXES.remove(context.getRequiredTestClass());
        if (prefix != null) {
            RedisTestSupport.deleteAll(prefix);
        }
    }
}
