package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.testkit.TcpProxy;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine on Redis: a whole session, hand-over and gifts over pub/sub, round trips, and a network cut. */
class RedisProfileServiceTest {

    /** A profile's data. */
    public static class PlayerData {
        public int coins;
        public List<String> items = new ArrayList<>();
    }

    private final String prefix = RedisTestSupport.uniquePrefix();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        RedisTestSupport.deleteAll(prefix);
    }

    private <C extends AutoCloseable> C closeLater(C c) {
        toClose.add(c);
        return c;
    }

    private ProfileService.Builder builder() {
        return settings().backend(RedisTestSupport.uri(prefix));
    }

    /** The profile store of these tests on {@code service}. */
    private static ProfileStore<PlayerData> players(ProfileService service) {
        return service.getProfileStore("PlayerData", new PlayerData());
    }

    /** The settings of these tests, without a store. */
    private static ProfileService.Builder settings() {
        return ProfileService.builder()
                .placeId("lobby")
                .autoSavePeriod(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(20))
                .forceLoadTimeout(Duration.ofSeconds(30));
    }

    @Test
    void loadEditReleaseViewAndReload() {
        ProfileService service = closeLater(builder().build());
        ProfileStore<PlayerData> store = players(service);
        Profile<PlayerData> p = store.loadProfile("Player_1").orElseThrow();
        p.edit(d -> {
            d.coins = 42;
            d.items.add("sword");
        });
        p.setMetaTag("level", 3);
        p.release();
        Profile<PlayerData> view = store.viewProfile("Player_1").orElseThrow();
        assertThat(view.getData().coins).isEqualTo(42);
        assertThat(view.getMetaTag("level")).isEqualTo(3);
        Profile<PlayerData> again = store.loadProfile("Player_1").orElseThrow();
        assertThat(again.getData().items).containsExactly("sword");
        assertThat(again.getMetaData().getSessionLoadCount()).isEqualTo(2);
    }

    /**
     * With polling slowed to 20 s and the force-load wait at 30 s, a hand-over that completes in a
     * few seconds can only have been asked for and answered over Redis pub/sub.
     */
    @Test
    void forceLoadHandsOverThroughPubSubAtOnce() {
        ProfileService a = closeLater(builder().jobId("A").build());
        ProfileService b = closeLater(builder().jobId("B").build());
        Profile<PlayerData> held = players(a).loadProfile("p").orElseThrow();
        held.edit(d -> d.coins = 7);
        AtomicBoolean released = new AtomicBoolean();
        held.listenToRelease(() -> released.set(true));

        long start = System.nanoTime();
        Profile<PlayerData> taken =
                players(b).loadProfile("p", NotReleasedHandler.FORCE_LOAD).orElseThrow();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(taken.getData().coins).isEqualTo(7);
        assertThat(taken.getMetaData().getActiveSession())
                .hasValueSatisfying(s -> assertThat(s.jobId()).isEqualTo("B"));
        await().atMost(Duration.ofSeconds(5)).untilTrue(released);
        assertThat(held.isActive()).isFalse();
    }

    @Test
    void giftReachesTheActiveOwnerWithoutWaitingForAutoSave() {
        ProfileService a = closeLater(builder().jobId("A").build());
        ProfileService sender = closeLater(builder().jobId("S").build());
        Profile<PlayerData> held = players(a).loadProfile("p").orElseThrow();
        List<Map<String, Object>> gifts = new CopyOnWriteArrayList<>();
        held.getGlobalUpdates().listenToNewActiveUpdate((id, data) -> gifts.add(data));

        players(sender).globalUpdateProfile("p", u -> u.addActiveUpdate(Map.of("coins", 100)));

        await().atMost(Duration.ofSeconds(5)).until(() -> gifts.size() == 1);
        assertThat(gifts.get(0)).containsEntry("coins", 100);
    }

    /** Through the engine: taking an unowned profile is one round trip, and so is its release. */
    @Test
    void loadOfAFreeProfileAndItsReleaseAreOneRoundTripEach() {
        Backend backend = Backends.open(RedisTestSupport.uri(prefix));
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);
        ProfileService service = closeLater(
                settings().backend(backend).lease(Duration.ofSeconds(60)).build());
        ProfileStore<PlayerData> store = players(service);

        trips.clear();
        Profile<PlayerData> p = store.loadProfile("fresh").orElseThrow();
        assertThat(trips.stream().filter(t -> !t.equals("heartbeat"))).containsExactly("acquire");

        p.edit(d -> d.coins = 1);
        trips.clear();
        p.release();
        assertThat(trips.stream().filter(t -> !t.equals("heartbeat"))).containsExactly("save");
    }

    /**
     * The connection to Redis is cut under a running service: issueSignal reports, edits made
     * meanwhile are kept, and once the connection is back every profile is saved with nothing lost.
     */
    @Test
    void connectionCutIsReportedAndNothingIsLostAfterRestore() {
        RedisURI target = RedisURI.create(RedisTestSupport.baseUri());
        TcpProxy proxy = closeLater(TcpProxy.start(target.getHost(), target.getPort()));
        // The shared server's default user has no password, so it accepts any: the URI carries one
        // to show that no issue message leaks it.
        String proxied = RedisTestSupport.uri(prefix, "timeout=1s")
                .replace("redis://", "redis://:s3cretPw@")
                .replace(target.getHost() + ":" + target.getPort(), proxy.host() + ":" + proxy.port());
        ProfileService service = ProfileService.builder()
                .backend(proxied)
                .placeId("lobby")
                .jobId("cut")
                .autoSavePeriod(Duration.ofMillis(300))
                .retryBackoffMax(Duration.ofMillis(500))
                .lease(Duration.ofSeconds(30))
                .build();
        closeLater(service);
        List<String> issues = new CopyOnWriteArrayList<>();
        service.issueSignal().connect(issues::add);
        ProfileStore<PlayerData> store = players(service);
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Profile<PlayerData> p = store.loadProfile("p" + i).orElseThrow();
            p.edit(d -> d.coins = 1);
            profiles.add(p);
        }

        proxy.cut();
        for (Profile<PlayerData> p : profiles) {
            p.edit(d -> {
                d.coins += 10;
                d.items.add("edited during cut");
            });
            p.save();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !issues.isEmpty());
        assertThat(issues).allSatisfy(m -> assertThat(m).doesNotContain("s3cretPw"));
        assertThat(issues).anySatisfy(m -> assertThat(m).contains(":****@" + proxy.host()));
        for (Profile<PlayerData> p : profiles) {
            assertThat(p.isActive()).as("a cut is not a lost session").isTrue();
        }

        proxy.restore();
        service.close(); // releases every profile with a final save, after the connection is back

        ProfileService reader = closeLater(builder().jobId("reader").build());
        ProfileStore<PlayerData> check = players(reader);
        for (int i = 0; i < 5; i++) {
            Profile<PlayerData> view = check.viewProfile("p" + i).orElseThrow();
            assertThat(view.getData().coins).as("p" + i).isEqualTo(11);
            assertThat(view.getData().items).containsExactly("edited during cut");
            assertThat(view.getMetaData().getActiveSession()).as("released").isEmpty();
        }
    }
}
