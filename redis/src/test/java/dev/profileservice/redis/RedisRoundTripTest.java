package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.UpdateOp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Round trips per protocol step, counted through the RoundTripListener: every hot-path step is one
 * script or command.
 */
class RedisRoundTripTest extends CountedBackendTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Test
    void everyHotPathStepIsOneRoundTrip() {
        assertThat(tripsOf(() -> backend.read("S", "k"))).containsExactly("read");
        assertThat(tripsOf(() -> backend.acquire("S", "k", me, -1, INITIAL))).containsExactly("acquire");
        assertThat(tripsOf(() -> backend.save("S", "k", SaveRequest.of(me.serverId(), 1, bytes("d"), false))))
                .containsExactly("save");
        assertThat(tripsOf(() -> backend.sendUpdates("S", "k", List.of(new UpdateOp.Add("t1", bytes("gift"))), 10)))
                .containsExactly("sendUpdates");
        assertThat(tripsOf(() -> backend.readUpdates("S", "k"))).containsExactly("readUpdates");
        assertThat(tripsOf(() -> backend.save(
                        "S",
                        "k",
                        new SaveRequest(me.serverId(), 1, bytes("d2"), false, List.of(new SaveRequest.Consume(1, 1))))))
                .containsExactly("save");
        assertThat(tripsOf(() -> backend.save("S", "k", SaveRequest.of(me.serverId(), 1, bytes("final"), true))))
                .containsExactly("save");
        assertThat(tripsOf(() -> backend.acquire("S", "k", me, 1, INITIAL))).containsExactly("acquire");
        assertThat(tripsOf(() -> BackendAdmin.of(backend).forceRelease("S", "k")))
                .containsExactly("forceRelease");
        assertThat(tripsOf(() -> backend.quarantine("S", "k", bytes("bad"), "r", 1)))
                .containsExactly("quarantine");
        assertThat(tripsOf(() -> BackendAdmin.of(backend).delete("S", "k"))).containsExactly("delete");
    }

    /**
     * After the server forgets its scripts (restart, SCRIPT FLUSH), a call falls back from EVALSHA to
     * EVAL (two round trips, both reported) and is still correct; the next call is back to one. The
     * Redis server is shared, so another client may reload a script between the flush and our call:
     * then the fallback is not needed, which is why each first call is allowed one or two trips.
     */
    @Test
    void scriptCacheLossCostsAtMostOneExtraRoundTrip() {
        RedisClient admin = RedisClient.create(RedisURI.create(RedisTestSupport.baseUri()));
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            c.sync().scriptFlush();
        } finally {
            admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        assertThat(tripsOf(() -> backend.acquire("S", "k", me, -1, INITIAL)))
                .containsOnly("acquire")
                .hasSizeBetween(1, 2);
        assertThat(backend.read("S", "k").owner()).isEqualTo(me);
        assertThat(tripsOf(() -> backend.save("S", "k", SaveRequest.of(me.serverId(), 1, bytes("x"), false))
                        .status()))
                .containsOnly("save")
                .hasSizeBetween(1, 2);
        assertThat(tripsOf(() -> backend.save("S", "k", SaveRequest.of(me.serverId(), 1, bytes("y"), false))
                        .status()))
                .containsExactly("save");
        assertThat(backend.save("S", "k", SaveRequest.of(me.serverId(), 1, bytes("z"), true))
                        .status())
                .isEqualTo(SaveResult.Status.SAVED);
        assertThat(backend.read("S", "k").owner()).as("released").isNull();
    }
}
