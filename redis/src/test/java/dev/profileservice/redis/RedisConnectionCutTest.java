package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.testkit.OutageDrill;
import dev.profileservice.testkit.TcpProxy;
import io.lettuce.core.RedisURI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A network cut between the backend and Redis, made by the testkit's {@link TcpProxy} (the shared
 * server keeps running): calls fail with a transient {@link BackendException} within the command
 * timeout instead of hanging, and work again once the connection is back, pub/sub included.
 */
class RedisConnectionCutTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final String prefix = RedisTestSupport.uniquePrefix();
    private TcpProxy proxy;
    private Backend viaProxy;
    private Backend direct;

    @BeforeEach
    void setUp() {
        RedisURI target = RedisURI.create(RedisTestSupport.baseUri());
        proxy = TcpProxy.start(target.getHost(), target.getPort());
        viaProxy = Backends.open(proxiedUri(prefix));
        direct = Backends.open(RedisTestSupport.uri(prefix));
    }

    /** The test server's URI with host and port replaced by the proxy's. */
    private String proxiedUri(String keyPrefix) {
        RedisURI target = RedisURI.create(RedisTestSupport.baseUri());
        String uri = RedisTestSupport.uri(keyPrefix, "timeout=" + TIMEOUT.toMillis() + "ms");
        return uri.replace(target.getHost() + ":" + target.getPort(), proxy.host() + ":" + proxy.port());
    }

    @AfterEach
    void tearDown() {
        viaProxy.close();
        direct.close();
        proxy.close();
        RedisTestSupport.deleteAll(prefix);
    }

    @Test
    void callsFailTransientlyWithinTheTimeoutWhileCutAndWorkAfterRestore() {
        Owner me = new Owner("srv-" + prefix, "p", "j");
        long epoch = viaProxy.acquire("S", "k", me, -1, INITIAL).record().epoch();
        assertThat(viaProxy.save(
                                "S",
                                "k",
                                SaveRequest.of(me.serverId(), epoch, "v1".getBytes(StandardCharsets.UTF_8), false))
                        .status())
                .isEqualTo(SaveResult.Status.SAVED);

        proxy.cut();
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            BackendException e = catchThrowableOfType(
                    BackendException.class,
                    () -> viaProxy.save(
                            "S",
                            "k",
                            SaveRequest.of(
                                    me.serverId(), epoch, "during cut".getBytes(StandardCharsets.UTF_8), false)));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(e).as("save while cut").isNotNull();
            assertThat(e.isTransient()).as(e.getMessage()).isTrue();
            assertThat(e.getMessage()).contains("save of S/k").contains(proxy.host() + ":" + proxy.port());
            assertThat(took).isLessThan(TIMEOUT.plusSeconds(1));
        }
        assertThat(direct.read("S", "k").payload())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("v1");

        proxy.restore();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(BackendException.class)
                .until(() -> viaProxy.save(
                                        "S",
                                        "k",
                                        SaveRequest.of(
                                                me.serverId(),
                                                epoch,
                                                "after restore".getBytes(StandardCharsets.UTF_8),
                                                false))
                                .status()
                        == SaveResult.Status.SAVED);
        assertThat(direct.read("S", "k").payload())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("after restore");
    }

    @Test
    void aBatchFailsTransientlyWithinTheTimeoutWhileCutAndWorksAfterRestore() {
        Owner me = new Owner("srv-" + prefix, "p", "j");
        List<SaveItem> items = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) { // two scripts: both must fail within one timeout, not one each
            viaProxy.acquire("S", "b" + i, me, -1, INITIAL);
            items.add(new SaveItem(
                    "S", "b" + i, SaveRequest.of(me.serverId(), 1, ("v" + i).getBytes(StandardCharsets.UTF_8), false)));
        }
        proxy.cut();
        long start = System.nanoTime();
        BackendException e = catchThrowableOfType(BackendException.class, () -> viaProxy.saveBatch(items));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(e).as("saveBatch while cut").isNotNull();
        assertThat(e.isTransient()).as(e.getMessage()).isTrue();
        assertThat(e.getMessage()).contains("saveBatch of 100 saves (S/b0, S/b1, S/b2, ...)");
        assertThat(took).isLessThan(TIMEOUT.plusSeconds(1));

        proxy.restore();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(BackendException.class)
                .until(() -> viaProxy.saveBatch(items).stream().allMatch(r -> r.status() == SaveResult.Status.SAVED));
        assertThat(direct.read("S", "b99").payload())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("v99");
    }

    @Test
    void messageBusResubscribesAfterTheConnectionComesBack() {
        String serverId = "bus-" + prefix;
        List<String> received = new CopyOnWriteArrayList<>();
        MessageBus subscriber = viaProxy.messageBus().orElseThrow();
        MessageBus publisher = direct.messageBus().orElseThrow();
        subscriber.subscribe(serverId, received::add);
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    publisher.publish(serverId, "before");
                    return received.contains("before");
                });

        proxy.cut();
        publisher.publish(serverId, "lost while cut"); // best effort: may be lost, must not throw
        proxy.restore();

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    publisher.publish(serverId, "after");
                    return received.contains("after");
                });
    }

    @Test
    @Timeout(180)
    void savesResumeWithinOneAutoSavePeriodOfTheHeal() {
        Duration autoSave = Duration.ofSeconds(2);
        Duration outage = Duration.ofSeconds(Long.getLong("profileservice.outageSeconds", 4));
        RedisURI target = RedisURI.create(RedisTestSupport.baseUri());
        // the URI as a user writes it: the default command timeout
        String uri = RedisTestSupport.uri(prefix)
                .replace(target.getHost() + ":" + target.getPort(), proxy.host() + ":" + proxy.port());
        OutageDrill.Result r = OutageDrill.run(() -> Backends.open(uri), proxy, outage, autoSave, 40);
        System.out.println(getClass().getSimpleName() + ": " + r);
        assertThat(r.worstResume()).as(r.toString()).isLessThanOrEqualTo(autoSave);
    }
}
