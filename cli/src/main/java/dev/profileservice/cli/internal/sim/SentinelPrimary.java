package dev.profileservice.cli.internal.sim;

import dev.profileservice.spi.BackendUris;
import dev.profileservice.spi.StoreUri;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ShutdownArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The primary of the Redis Sentinel group a {@code redis-sentinel://...#master} store URI names,
 * for the primary-kill fault: found through the first sentinel that answers, and killed with
 * {@code SHUTDOWN NOSAVE NOW FORCE} (at once, saving nothing, waiting for no replica: whatever it
 * acknowledged and had not replicated is gone, as with {@code kill -9}). The sentinels then promote
 * a replica and the servers follow. The killed process is not restarted, so a run kills a primary
 * only while it has two replicas or more. Used on the simulation's driving thread.
 */
final class SentinelPrimary {
    private final StoreUri uri;

    private SentinelPrimary(StoreUri uri) {
        this.uri = uri;
    }

    /** The primary of {@code storeUri}, or empty if it is not a {@code redis-sentinel://} URI. */
    static Optional<SentinelPrimary> of(String storeUri) {
        if (storeUri == null || !BackendUris.scheme(storeUri).endsWith("-sentinel")) {
            return Optional.empty();
        }
        return Optional.of(new SentinelPrimary(StoreUri.parse(storeUri, RedisURI.DEFAULT_SENTINEL_PORT)));
    }

    /**
     * Whether the primary has two replicas or more: one to promote, and one left to replicate to
     * after the failover (with {@code wait=1}, a primary without replicas takes no write).
     */
    boolean hasReplicasToSpare() {
        // the sentinels keep listing a killed primary as a replica, down: count the ones in sync
        long inSync = onSentinel(s -> s.sync().replicas(uri.fragment())).stream()
                .filter(r -> "slave".equals(r.get("flags")) && "ok".equals(r.get("master-link-status")))
                .count();
        return inSync >= 2;
    }

    /** Kills the current primary; returns its address. */
    String kill() {
        Map<String, String> master = onSentinel(s -> s.sync().master(uri.fragment()));
        String address = master.get("ip") + ":" + master.get("port");
        RedisURI target = RedisURI.create(master.get("ip"), Integer.parseInt(master.get("port")));
        if (uri.password() != null) {
            if (uri.user() != null) {
                target.setCredentialsProvider(io.lettuce.core.RedisCredentialsProvider.from(
                        () -> io.lettuce.core.RedisCredentials.just(uri.user(), uri.password())));
            } else {
                target.setPassword(uri.password().toCharArray());
            }
        }
        target.setTimeout(Duration.ofSeconds(2));
        RedisClient client = RedisClient.create(target);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().shutdown(ShutdownArgs.Builder.save(false).now().force());
        } catch (RedisException expected) {
            // the server closed the connection as it went down
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
        return address;
    }

    private <T> T onSentinel(Function<StatefulRedisSentinelConnection<String, String>, T> body) {
        RedisException last = null;
        for (StoreUri.Address a : uri.hosts()) {
            RedisURI sentinel = RedisURI.create(a.host(), a.port());
            sentinel.setTimeout(Duration.ofSeconds(2));
            RedisClient client = RedisClient.create(sentinel);
            try (StatefulRedisSentinelConnection<String, String> s = client.connectSentinel()) {
                return body.apply(s);
            } catch (RedisException e) {
                last = e; // try the next sentinel
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
        throw new IllegalStateException("no sentinel of " + uri.masked() + " answered", last);
    }
}
