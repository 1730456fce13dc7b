package dev.profileservice.redis;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Redis backend for a test class ({@code @RegisterExtension static final}), on a key prefix of
 * its own ({@link RedisTestSupport#uniquePrefix}): opened before the class's first test; closed after
 * its last, with every key under the prefix deleted. {@link #newStore} names a store no other test
 * of the class uses, and {@link #raw} is a plain connection for looking at the keys themselves
 * (opened on first use, closed with the backend).
 */
final class RedisTestBackend implements BeforeAllCallback, AfterAllCallback {
    private final String prefix = RedisTestSupport.uniquePrefix();
    private final AtomicInteger stores = new AtomicInteger();
    private Backend backend;
    private RedisClient client;
    private StatefulRedisConnection<String, String> raw;

    @Override
    public void beforeAll(ExtensionContext context) {
        backend = Backends.open(RedisTestSupport.uri(prefix));
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        backend.close();
        if (raw != null) {
            raw.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        RedisTestSupport.deleteAll(prefix);
    }

    /** The key prefix of this class's backend. */
    String prefix() {
        return prefix;
    }

    /**
     * The Redis key of part {@code part} of profile {@code key} in {@code store}, as the backend names
     * it: {@code PREFIX:{STORE:KEY}:PART} ({@code p} the record, {@code h} and {@code v} its versions,
     * {@code q} its quarantine, {@code c} its consumed tokens; {@code *} matches them all).
     */
    String profileKey(String store, String key, String part) {
        return prefix + ":{" + store + ":" + key + "}:" + part;
    }

    /** The backend (open from before the first test to after the last). */
    Backend backend() {
        return backend;
    }

    /** A store name not used before in this class: {@code name} and a number. */
    String newStore(String name) {
        return name + stores.incrementAndGet();
    }

    /** A plain connection to the test server, outside the backend. */
    synchronized StatefulRedisConnection<String, String> raw() {
        if (raw == null) {
            client = RedisClient.create(RedisURI.create(RedisTestSupport.baseUri()));
            raw = client.connect();
        }
        return raw;
    }
}
