package dev.profileservice.redis;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the Redis tests that count round trips: a backend on the test server under a unique key
 * prefix, its {@code RoundTripListener} recording into {@link #trips}, deleted again after each test.
 */
abstract class CountedBackendTest {
    protected final String prefix = RedisTestSupport.uniquePrefix();
    protected final List<String> trips = new CopyOnWriteArrayList<>();
    protected final Owner me = new Owner("srv-" + prefix, "p", "j");
    protected Backend backend;

    @BeforeEach
    void open() {
        backend = Backends.open(RedisTestSupport.uri(prefix));
        backend.setRoundTripListener(trips::add);
    }

    @AfterEach
    void close() {
        backend.close();
        RedisTestSupport.deleteAll(prefix);
    }

    /** The round trips {@code call} made. */
    protected List<String> tripsOf(Runnable call) {
        trips.clear();
        call.run();
        return List.copyOf(trips);
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
