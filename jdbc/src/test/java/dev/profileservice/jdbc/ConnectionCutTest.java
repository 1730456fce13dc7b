package dev.profileservice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.testkit.OutageDrill;
import dev.profileservice.testkit.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A network cut between a server and its database, made with the testkit's {@link TcpProxy} (the
 * shared database keeps running): calls fail with a transient {@link BackendException} while cut
 * and work again after the restore, the message bus reconnects, and a {@link ProfileService}
 * rides it out: issues are reported, the critical state follows the thresholds, and after the
 * restore every profile is saved with nothing lost.
 */
abstract class ConnectionCutTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** The real database's URI (no proxy). */
    private final String direct;

    ConnectionCutTest(String directUri) {
        this.direct = directUri;
    }

    private String directUri() {
        return direct;
    }

    private final String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    private TcpProxy proxy() {
        String uri = directUri();
        return TcpProxy.start(
                TestDatabases.host(uri), TestDatabases.port(uri, uri.startsWith("postgres") ? 5432 : 3306));
    }

    private String proxiedUri(TcpProxy proxy) {
        String uri = TestDatabases.viaProxy(directUri(), proxy.host(), proxy.port());
        return uri + (uri.contains("?") ? "&" : "?") + "connectionTimeout=1000";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(60)
    void callsFailTransientlyWhileCutAndWorkAfterRestore() {
        String store = "cut_" + run;
        String key = "k-" + UUID.randomUUID();
        Owner me = new Owner("cut-server-" + run, "place", "job");
        try (TcpProxy proxy = proxy();
                Backend b = Backends.open(proxiedUri(proxy));
                Backend direct = Backends.open(directUri())) {
            assertThat(b.acquire(store, key, me, -1, INITIAL).acquired()).isTrue();
            assertThat(b.save(store, key, SaveRequest.of(me.serverId(), 1, bytes("v1"), false))
                            .status())
                    .isEqualTo(SaveResult.Status.SAVED);
            MessageBus bus = b.messageBus().orElseThrow();
            List<String> received = new CopyOnWriteArrayList<>();
            bus.subscribe(me.serverId(), received::add);
            MessageBus directBus = direct.messageBus().orElseThrow();
            awaitDelivery(() -> directBus.publish(me.serverId(), "before"), received, "before");

            proxy.cut();
            assertThatThrownBy(() -> b.read(store, key))
                    .isInstanceOf(BackendException.class)
                    .satisfies(e -> assertThat(((BackendException) e).isTransient())
                            .as("transient: " + e.getMessage())
                            .isTrue());
            assertThatThrownBy(() -> b.save(store, key, SaveRequest.of(me.serverId(), 1, bytes("v2"), false)))
                    .isInstanceOf(BackendException.class)
                    .satisfies(e -> assertThat(((BackendException) e).isTransient())
                            .as("transient: " + e.getMessage())
                            .isTrue());
            assertThat(direct.read(store, key).payload())
                    .as("nothing half-written while cut")
                    .isEqualTo(bytes("v1"));

            proxy.restore();
            await("save after restore")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .until(() -> b.save(store, key, SaveRequest.of(me.serverId(), 1, bytes("v3"), false))
                                    .status()
                            == SaveResult.Status.SAVED);
            assertThat(direct.read(store, key).payload()).isEqualTo(bytes("v3"));
            assertThat(direct.read(store, key).owner()).isEqualTo(me);
            // the bus reconnected (LISTEN) or resumed polling through the restored proxy
            awaitDelivery(() -> directBus.publish(me.serverId(), "after"), received, "after");
            BackendAdmin.of(direct).delete(store, key);
        }
    }

    @Test
    @Timeout(90)
    void serviceReportsIssuesGoesCriticalAndSavesEverythingAfterRestore() {
        String storeName = "cutsvc_" + run;
        List<String> issues = new CopyOnWriteArrayList<>();
        List<Boolean> critical = new CopyOnWriteArrayList<>();
        try (TcpProxy proxy = proxy();
                ProfileService service = ProfileService.builder()
                        .backend(proxiedUri(proxy))
                        .placeId("cut-test")
                        .autoSavePeriod(Duration.ofMillis(300))
                        .retryBackoffMax(Duration.ofMillis(300))
                        .criticalState(3, Duration.ofSeconds(30), Duration.ofSeconds(1))
                        .build();
                ProfileService observer = ProfileService.builder()
                        .backend(directUri())
                        .placeId("observer")
                        .build()) {
            service.issueSignal().connect(issues::add);
            service.criticalStateSignal().connect(critical::add);
            ProfileStore<Map<String, Object>> store = service.getProfileStore(storeName, Map.of("coins", 0));
            List<Profile<Map<String, Object>>> profiles = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Profile<Map<String, Object>> p =
                        store.loadProfile("player-" + i).orElseThrow();
                p.edit(d -> d.put("coins", 1));
                profiles.add(p);
            }
            ProfileStore<Map<String, Object>> view = observer.getProfileStore(storeName, Map.of("coins", 0));
            awaitStored("first saves", view, profiles, 1);
            assertThat(critical).doesNotContain(true);

            proxy.cut();
            for (Profile<Map<String, Object>> p : profiles) {
                p.edit(d -> d.put("coins", coins(d) + 1));
                p.save();
            }
            await("issues reported and critical state")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> issues.size() >= 3 && critical.contains(true));
            assertThat(profiles).allMatch(Profile::isActive);
            assertThat(issues)
                    .anyMatch(m ->
                            m.contains("127.0.0.1:" + proxy.port()) || m.contains("transient") || m.contains("failed"));

            proxy.restore();
            awaitStored("every profile saved after restore", view, profiles, 2);
            await("critical state cleared after the cooldown")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> !critical.isEmpty() && !critical.get(critical.size() - 1));
            assertThat(profiles).allMatch(Profile::isActive);
            for (Profile<Map<String, Object>> p : profiles) {
                p.edit(d -> d.put("coins", coins(d) + 1));
                p.release();
                assertThat(view.viewProfile(p.getKey()).map(v -> coins(v.getData())))
                        .contains(3);
            }
        }
    }

    /** The drill's outage: 4 s in the suite; {@code -Dprofileservice.outageSeconds=30} for the long one. */
    static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("profileservice.outageSeconds", 4));

    @Test
    @Timeout(180)
    void savesResumeWithinOneAutoSavePeriodOfTheHeal() {
        Duration autoSave = Duration.ofSeconds(2);
        try (TcpProxy proxy = proxy()) {
            // the URI as a user writes it: the pool's and the driver's default timeouts
            String uri = TestDatabases.viaProxy(directUri(), proxy.host(), proxy.port());
            OutageDrill.Result r = OutageDrill.run(() -> Backends.open(uri), proxy, OUTAGE, autoSave, 40);
            System.out.println(getClass().getSimpleName() + ": " + r);
            assertThat(r.worstResume()).as(r.toString()).isLessThanOrEqualTo(autoSave);
        }
    }

    /** Waits until the store holds {@code coins} for every profile, as another service sees it. */
    private static void awaitStored(
            String what,
            ProfileStore<Map<String, Object>> view,
            List<Profile<Map<String, Object>>> profiles,
            int coins) {
        await(what)
                .atMost(Duration.ofSeconds(30))
                .until(() -> profiles.stream()
                        .allMatch(p -> view.viewProfile(p.getKey())
                                .map(v -> coins(v.getData()) == coins)
                                .orElse(false)));
    }

    private static int coins(Map<String, Object> data) {
        return ((Number) data.get("coins")).intValue();
    }

    /** Publishes until {@code inbox} has {@code expected}; a publish that fails is a hiccup of the publisher, tried again. */
    private static void awaitDelivery(Runnable publish, List<String> inbox, String expected) {
        await("delivery of '" + expected + "'")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(BackendException.class)
                .until(() -> {
                    boolean delivered = inbox.contains(expected);
                    if (!delivered) {
                        publish.run();
                    }
                    return delivered;
                });
    }
}
