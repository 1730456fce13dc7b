package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.profileservice.ProfileService;
import dev.profileservice.ProfileServiceException;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.BackendProvider;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** URIs, fail-fast opening, password masking, and the factories for users' own Lettuce objects. */
class RedisProviderTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** A local port nothing listens on. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void providerIsRegisteredForRedisAndRediss() {
        assertThat(ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(p -> assertThat(p.schemes())
                        .containsExactlyInAnyOrder("redis", "rediss", "redis-sentinel", "rediss-sentinel"));
    }

    @Test
    void unreachableServerFailsFastNamingTheUriWithoutItsPassword() throws Exception {
        int port = closedPort();
        for (String uri : new String[] {
            "redis://:s3cretPw@127.0.0.1:" + port + "/0",
            "redis://alice:s3cretPw@127.0.0.1:" + port,
            "redis://s3cretPw@127.0.0.1:" + port
        }) {
            long start = System.nanoTime();
            BackendException e = catchThrowableOfType(BackendException.class, () -> Backends.open(uri));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
            assertThat(e).as(uri).isNotNull();
            assertThat(e.getMessage())
                    .contains("127.0.0.1:" + port)
                    .contains("****")
                    .doesNotContain("s3cretPw");
            assertThat(e.isTransient()).isTrue();
        }
    }

    /** A server that accepts the connection but never answers must not hang the open. */
    @Test
    void serverThatNeverAnswersFailsWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(
                    () -> {
                        try {
                            while (true) {
                                accepted.add(silent.accept()); // held open, never read, never answered
                            }
                        } catch (java.io.IOException closed) {
                            // test over
                        }
                    },
                    "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            BackendException e = catchThrowableOfType(
                    BackendException.class,
                    () -> Backends.open("redis://127.0.0.1:" + silent.getLocalPort() + "?timeout=500ms"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(e).isNotNull();
            assertThat(e.isTransient()).isTrue();
            assertThat(e.getMessage()).contains("127.0.0.1:" + silent.getLocalPort());
            assertThat(took).isLessThan(Duration.ofSeconds(4));
            for (java.net.Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void userAndPasswordWorkAndAWrongPasswordIsRefusedWithoutShowingIt() {
        // A throw-away ACL user on the shared server, deleted at the end.
        String user = RedisTestSupport.uniquePrefix();
        String prefix = RedisTestSupport.uniquePrefix();
        RedisClient admin = RedisClient.create(RedisURI.create(RedisTestSupport.baseUri()));
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            c.sync()
                    .aclSetuser(
                            user,
                            io.lettuce.core.AclSetuserArgs.Builder.on()
                                    .addPassword("R1ghtPassw0rd")
                                    .allKeys()
                                    .allChannels()
                                    .allCommands());
            try {
                String good = RedisTestSupport.uri(prefix).replace("redis://", "redis://" + user + ":R1ghtPassw0rd@");
                try (Backend backend = Backends.open(good)) {
                    assertThat(backend.describe()).contains(user + ":****@").doesNotContain("R1ghtPassw0rd");
                    assertThat(backend.acquire("S", "k", new Owner("srv", "p", "j"), -1, INITIAL)
                                    .acquired())
                            .isTrue();
                    assertThat(BackendAdmin.of(backend).delete("S", "k")).isTrue();
                }
                String bad = RedisTestSupport.baseUri().replace("redis://", "redis://" + user + ":n0tThePassw0rd@");
                BackendException e = catchThrowableOfType(BackendException.class, () -> Backends.open(bad));
                assertThat(e).isNotNull();
                assertThat(e.getMessage()).contains(user + ":****@").doesNotContain("n0tThePassw0rd");
                assertThat(e.isTransient()).as(e.getMessage()).isFalse();
                assertThat(e.getMessage()).contains("WRONGPASS");
            } finally {
                c.sync().aclDeluser(user);
            }
        } finally {
            admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            RedisTestSupport.deleteAll(prefix);
        }
    }

    @Test
    void malformedUrisAreRejectedClearly() {
        assertThatThrownBy(() -> Backends.open("redis://"))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("malformed store URI 'redis://'")
                .matches(e -> !((BackendException) e).isTransient());
        assertThatThrownBy(() -> Backends.open(RedisTestSupport.uri("{bad}")))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("prefix must match");
        assertThatThrownBy(() -> RedisBackends.open("postgresql://x/y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Redis URI");
    }

    @Test
    void sentinelAndWaitParametersAreCheckedBeforeConnecting() {
        assertRefused("redis-sentinel://:pw123@127.0.0.1:26379", "names no master: end it with #masterName");
        assertRefused("redis://127.0.0.1:6379?cluster=true&wait=1", "cluster=true cannot be combined with wait");
        assertRefused(
                "redis-sentinel://127.0.0.1:26379?cluster=true#m", "cluster=true cannot be combined with Sentinel");
        assertRefused("redis://127.0.0.1:6379?wait=-1", "waitReplicas must be 0 or more, was -1");
        assertRefused(
                "redis://127.0.0.1:6379?wait=1&waitTimeout=soon",
                "parameter waitTimeout must be a whole number with a unit");
    }

    /** Opening {@code uri} fails at once, for good, naming {@code problem}, without the URI's password. */
    private static void assertRefused(String uri, String problem) {
        assertThatThrownBy(() -> Backends.open(uri))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining(problem)
                .hasMessageNotContaining("pw123")
                .matches(e -> !((BackendException) e).isTransient());
    }

    @Test
    void waitForAReplicaThatDoesNotExistFailsTheWriteAsTransient() {
        // the shared test server has no replica: every write's WAIT comes back short
        try (Backend backend =
                Backends.open(RedisTestSupport.uri(RedisTestSupport.uniquePrefix(), "wait=1", "waitTimeout=50ms"))) {
            Owner me = new Owner("srv-wait", "place", "job");
            assertThatThrownBy(() -> backend.acquire("S", "k", me, 0, new byte[] {1}))
                    .isInstanceOf(BackendException.class)
                    .hasMessageContaining("acquire of S/k: only 0 of 1 replica(s) acknowledged it within 50 ms")
                    .matches(e -> ((BackendException) e).isTransient());
            // the acquire is on the primary all the same: the session's save is applied, then refused the same way
            assertThatThrownBy(() -> backend.save("S", "k", SaveRequest.of("srv-wait", 1, new byte[] {2}, false)))
                    .isInstanceOf(BackendException.class)
                    .hasMessageContaining("save of S/k: only 0 of 1 replica(s) acknowledged it within 50 ms")
                    .matches(e -> ((BackendException) e).isTransient());
        }
    }

    @Test
    void profileServiceBuildFailsFastWithMaskedUri() throws Exception {
        int port = closedPort();
        assertThatThrownBy(() -> ProfileService.builder()
                        .backend("redis://:s3cretPw@127.0.0.1:" + port)
                        .build())
                .isInstanceOf(ProfileServiceException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageNotContaining("s3cretPw");
    }

    @Test
    void databaseAndPrefixFromTheUriAreUsed() {
        String prefix = RedisTestSupport.uniquePrefix();
        String base = RedisTestSupport.baseUri();
        String uri = base.replaceFirst("(redis://[^/?]+)(/\\d+)?", "$1/5") + (base.contains("?") ? "&" : "?")
                + "prefix=" + prefix;
        try (Backend backend = Backends.open(uri)) {
            backend.acquire("S", "k", new Owner("srv", "p", "j"), -1, INITIAL);
        }
        RedisClient client = RedisClient.create(RedisURI.create(base));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().select(5);
            assertThat(c.sync().exists(prefix + ":{S:k}:p")).isEqualTo(1);
            assertThat(c.sync().hget(prefix + ":{S:k}:p", "epoch")).isEqualTo("1");
            c.sync().del(prefix + ":{S:k}:p", prefix + ":layout");
            c.sync().select(0);
            assertThat(c.sync().exists(prefix + ":{S:k}:p")).isZero();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void backendOnTheCallersClientLeavesTheClientOpen() {
        String prefix = RedisTestSupport.uniquePrefix();
        RedisClient client = RedisClient.create(RedisURI.create(RedisTestSupport.baseUri()));
        try {
            try (Backend backend = RedisBackends.create(
                    client, RedisBackends.Options.defaults().withKeyPrefix(prefix))) {
                assertThat(backend.acquire("S", "k", new Owner("srv", "p", "j"), -1, INITIAL)
                                .acquired())
                        .isTrue();
                assertThat(backend.read("S", "k").epoch()).isEqualTo(1);
            }
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                assertThat(c.sync().ping()).isEqualTo("PONG");
            }
            try (Backend again = RedisBackends.create(
                    RedisURI.create(RedisTestSupport.baseUri()),
                    RedisBackends.Options.defaults().withKeyPrefix(prefix).withCommandTimeout(Duration.ofSeconds(2)))) {
                assertThat(again.read("S", "k").epoch()).isEqualTo(1);
                assertThat(BackendAdmin.of(again).delete("S", "k")).isTrue();
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            RedisTestSupport.deleteAll(prefix);
        }
    }

    @Test
    void closedBackendRefusesCallsAndCloseIsIdempotent() {
        String prefix = RedisTestSupport.uniquePrefix();
        Backend backend = Backends.open(RedisTestSupport.uri(prefix));
        backend.close();
        backend.close();
        assertThatThrownBy(() -> backend.read("S", "k"))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("closed");
        RedisTestSupport.deleteAll(prefix);
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> RedisBackends.Options.defaults().withKeyPrefix("a{b}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisBackends.Options.defaults().withCommandTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
