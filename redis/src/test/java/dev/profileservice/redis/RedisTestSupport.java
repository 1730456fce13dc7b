package dev.profileservice.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Where the tests find Redis ({@code PROFILESERVICE_TEST_REDIS_URI}, default
 * {@code redis://127.0.0.1:6379}), a unique key prefix per use, and cleanup of everything under it.
 * Tests fail (never skip) when the server cannot be reached.
 */
final class RedisTestSupport {
    static final String ENV = "PROFILESERVICE_TEST_REDIS_URI";

    private RedisTestSupport() {}

    /** The base URI of the test server, without query parameters. */
    static String baseUri() {
        String env = System.getenv(ENV);
        return env == null || env.isBlank() ? "redis://127.0.0.1:6379" : env.trim();
    }

    /** A fresh prefix, so nothing a test writes can meet another test's (or another run's) keys. */
    static String uniquePrefix() {
        return "pstest-" + UUID.randomUUID().toString().substring(0, 12);
    }

    /** {@code baseUri()} with {@code prefix} (and any extra query parameters) added. */
    static String uri(String prefix, String... params) {
        String base = baseUri();
        StringBuilder b = new StringBuilder(base)
                .append(base.contains("?") ? '&' : '?')
                .append("prefix=")
                .append(prefix);
        for (String p : params) {
            b.append('&').append(p);
        }
        return b.toString();
    }

    /** Deletes every key under {@code prefix} (the keys a backend with that prefix created). */
    static void deleteAll(String prefix) {
        RedisURI uri = RedisURI.create(baseUri());
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync()
                        .scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    c.sync().del(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** {@code s} in UTF-8. */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every byte value from 0 to 255 in order, {@code times} times over: for binary-safety checks. */
    static byte[] everyByteValue(int times) {
        byte[] all = new byte[256 * times];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        return all;
    }

    /** Number of keys under {@code prefix}. */
    static long countKeys(String prefix) {
        RedisURI uri = RedisURI.create(baseUri());
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            long n = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync()
                        .scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
                n += page.getKeys().size();
                cursor = page;
            } while (!cursor.isFinished());
            return n;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
