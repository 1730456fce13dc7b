package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Redis under Sentinel, with real processes (a primary, two replicas, three sentinels; see {@link
 * LocalSentinelGroup}): {@code redis-sentinel://} URIs follow a failover, and {@code ?wait=1} keeps
 * every acknowledged release through a {@code kill -9} of the primary, which loses them without
 * it (made certain by cutting the replicas off while the primary acknowledges).
 */
class RedisSentinelTest {
    private static final int PROFILES = 50;

    /** The data of these tests. */
    public static class Coins {
        public int coins;
    }

    private static ProfileService service(String uri, String job) {
        return ProfileService.builder()
                .backend(uri)
                .placeId("sentinel-test")
                .jobId(job)
                .forceLoadTimeout(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(200))
                .shutdownHook(false)
                .build();
    }

    private static ProfileStore<Coins> coins(ProfileService s) {
        return s.getProfileStore("Coins", new Coins());
    }

    /** Loads, edits and releases profiles {@code p0..p49}, each released (acknowledged) with coins i + 1. */
    private static void releaseAll(ProfileStore<Coins> store) {
        for (int i = 0; i < PROFILES; i++) {
            int coins = i + 1;
            Profile<Coins> p = store.loadProfile("p" + i).orElseThrow();
            p.edit(d -> d.coins = coins);
            p.release();
        }
    }

    /** How many of {@code p0..p49} the store holds with the coins their release saved. */
    private static int kept(ProfileStore<Coins> store) {
        int kept = 0;
        for (int i = 0; i < PROFILES; i++) {
            int expected = i + 1;
            if (store.viewProfile("p" + i)
                    .map(v -> v.getData().coins == expected)
                    .orElse(false)) {
                kept++;
            }
        }
        return kept;
    }

    @Test
    void withWaitOneEveryAcknowledgedReleaseSurvivesTheKillOfThePrimaryAndSessionsGoOn() throws Exception {
        try (LocalSentinelGroup group = LocalSentinelGroup.start()) {
            String uri = group.uri("wait=1&prefix=" + RedisTestSupport.uniquePrefix());
            try (ProfileService a = service(uri, "a")) {
                ProfileStore<Coins> onA = coins(a);
                Profile<Coins> live = onA.loadProfile("live").orElseThrow();
                live.edit(d -> d.coins = 7);
                releaseAll(onA); // each WAIT also covers the live session's acquire, sent before

                group.killPrimary();
                group.awaitFailover();

                try (ProfileService b = service(uri, "b")) {
                    ProfileStore<Coins> onB = coins(b);
                    assertThat(kept(onB))
                            .as("acknowledged releases in the promoted replica")
                            .isEqualTo(PROFILES);

                    live.edit(d -> d.coins = 8);
                    live.save();
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> onB.viewProfile("live").orElseThrow().getData().coins == 8);
                    assertThat(live.isActive())
                            .as("A's session went on after the failover")
                            .isTrue();

                    live.edit(d -> d.coins = 9); // not saved yet when B steals: A's release must be refused
                    Profile<Coins> stolen =
                            onB.loadProfile("live", NotReleasedHandler.STEAL).orElseThrow();
                    await().atMost(Duration.ofSeconds(30)).until(() -> !live.isActive());
                    assertThat(onB.viewProfile("live").orElseThrow().getData().coins)
                            .as("the old owner's write after the steal is refused")
                            .isEqualTo(8);
                    stolen.release();
                }
            }
        }
    }

    @Test
    void withoutWaitTheFailoverLosesReleasesThePrimaryAcknowledged() throws Exception {
        try (LocalSentinelGroup group = LocalSentinelGroup.start()) {
            String uri = group.uri("prefix=" + RedisTestSupport.uniquePrefix());
            try (ProfileService a = service(uri, "a")) {
                group.holdBackReplicas(); // it takes nothing of what follows
                releaseAll(coins(a));
                group.killPrimary();
                group.awaitFailover();
                try (ProfileService b = service(uri, "b")) {
                    assertThat(kept(coins(b)))
                            .as("acknowledged releases the promoted replica never had")
                            .isZero();
                }
            }
        }
    }

    @Test
    void withWaitOneAReleaseIsNotDoneUntilAReplicaHasIt() throws Exception {
        try (LocalSentinelGroup group = LocalSentinelGroup.start()) {
            String uri = group.uri("wait=1&waitTimeout=200ms&prefix=" + RedisTestSupport.uniquePrefix());
            try (ProfileService a = service(uri, "a")) {
                List<String> issues = new CopyOnWriteArrayList<>();
                a.issueSignal().connect(issues::add);
                ProfileStore<Coins> onA = coins(a);
                Profile<Coins> p = onA.loadProfile("held-back").orElseThrow();
                p.edit(d -> d.coins = 5);

                group.holdBackReplicas();
                CompletableFuture<Void> released = p.releaseAsync();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> issues.stream().anyMatch(i -> i.contains("replica(s) acknowledged")));
                assertThat(released)
                        .as("a release no replica has is not acknowledged")
                        .isNotDone();

                group.releaseReplicas();
                released.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(onA.viewProfile("held-back").orElseThrow().getData().coins)
                        .isEqualTo(5);
            }
        }
    }
}
