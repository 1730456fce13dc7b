package dev.profileservice.redis.internal;

import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.BackendUris;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Turns a URI string, a {@link RedisURI} or a caller's {@link RedisClient} into a connected
 * {@link RedisBackend}. Stateless; thread-safe.
 *
 * <p>A client made here is tuned for failing fast and coming back fast: commands are rejected at
 * once while disconnected (instead of queueing until they time out), every command times out after
 * the command timeout, and reconnect attempts back off from 50 ms to at most {@link #MAX_RECONNECT_DELAY},
 * so saves resume within moments of the server's return.
 */
public final class RedisConnector {
    /** Schemes this module handles. */
    public static final List<String> SCHEMES = List.of("redis", "rediss");
    static final String DEFAULT_PREFIX = "ps";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The longest pause between reconnect attempts: well under any auto-save period. */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(250);

    private RedisConnector() {
    }

    /** Opens a {@code redis://} or {@code rediss://} URI; {@code prefix} is read and removed from the query. */
    public static RedisBackend open(String uri) {
        if (uri == null) {
            throw new IllegalArgumentException("Redis URI must not be null");
        }
        String masked = RedisErrors.maskUri(uri);
        String scheme = BackendUris.scheme(uri);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("not a Redis URI: '" + masked + "'; expected redis://[user:password@]host[:port][/database] or rediss://...");
        }
        String base = uri;
        String fragment = "";
        int hash = base.indexOf('#');
        if (hash >= 0) {
            fragment = base.substring(hash);
            base = base.substring(0, hash);
        }
        String prefix = DEFAULT_PREFIX;
        boolean timeoutGiven = false;
        boolean cluster = false;
        int q = base.indexOf('?');
        if (q >= 0) {
            List<String> kept = new ArrayList<>();
            for (String param : base.substring(q + 1).split("&")) {
                if (param.isEmpty()) {
                    continue;
                }
                String name = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
                String value = param.contains("=") ? param.substring(param.indexOf('=') + 1) : "";
                if (name.equalsIgnoreCase("prefix")) {
                    prefix = value;
                } else if (name.equalsIgnoreCase("cluster")) {
                    if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                        throw new BackendException("malformed Redis URI '" + masked + "': cluster must be true or false, was '"
                                + value + "'", false);
                    }
                    cluster = value.equalsIgnoreCase("true");
                } else {
                    timeoutGiven |= name.equalsIgnoreCase("timeout");
                    kept.add(param);
                }
            }
            base = base.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        }
        if (!RedisKeys.PREFIX.matcher(prefix).matches()) {
            throw new BackendException("malformed Redis URI '" + masked + "': prefix must match "
                    + RedisKeys.PREFIX.pattern() + ", was '" + prefix + "'", false);
        }
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(base + fragment);
        } catch (RuntimeException e) {
            throw new BackendException(new RedisErrors(password(uri)).scrub("malformed Redis URI '" + masked + "': " + e.getMessage()), false, e);
        }
        Duration timeout = timeoutGiven ? redisUri.getTimeout() : DEFAULT_TIMEOUT;
        return cluster ? ownClusterClient(redisUri, prefix, timeout, masked, password(uri))
                : ownClient(redisUri, prefix, timeout, masked, password(uri));
    }

    /** A backend on a client of its own for {@code uri}. */
    public static RedisBackend create(RedisURI uri, String prefix, Duration timeout) {
        // RedisURI.toString() masks the password.
        return ownClient(uri, prefix, timeout, uri.toString(), null);
    }

    /** A backend on the caller's client (its default URI); the client is not shut down on close. */
    public static RedisBackend create(RedisClient client, String prefix, Duration timeout) {
        return RedisBackend.open(client, null, prefix, timeout, "redis (caller's RedisClient)", null, null);
    }

    /** A backend on a cluster client of its own, discovering the cluster from the seed {@code uri}. */
    public static RedisBackend createCluster(RedisURI uri, String prefix, Duration timeout) {
        return ownClusterClient(uri, prefix, timeout, uri.toString(), null);
    }

    /** A backend on the caller's cluster client; the client is not shut down on close. */
    public static RedisBackend create(RedisClusterClient client, String prefix, Duration timeout) {
        return RedisBackend.open(client, prefix, timeout, "redis cluster (caller's RedisClusterClient)", null, null);
    }

    private static ClientResources resources() {
        return ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
    }

    private static RedisBackend ownClusterClient(RedisURI uri, String prefix, Duration timeout, String description, String password) {
        uri.setTimeout(timeout);
        ClientResources resources = resources();
        RedisClusterClient client = RedisClusterClient.create(resources, uri);
        ClusterClientOptions.Builder options = ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build());
        connectionOptions(options, timeout);
        client.setOptions(options.build());
        return RedisBackend.open(client, prefix, timeout, description, password, shutdownOf(client, resources));
    }

    private static RedisBackend ownClient(RedisURI uri, String prefix, Duration timeout, String description, String password) {
        uri.setTimeout(timeout);
        ClientResources resources = resources();
        RedisClient client = RedisClient.create(resources, uri);
        ClientOptions.Builder options = ClientOptions.builder();
        connectionOptions(options, timeout);
        client.setOptions(options.build());
        return RedisBackend.open(client, uri, prefix, timeout, description, password, shutdownOf(client, resources));
    }

    /** What clients this library owns share: reconnect on their own, refuse commands while disconnected, time out. */
    private static void connectionOptions(ClientOptions.Builder options, Duration timeout) {
        options.autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout));
    }

    /** Shuts down a client this library created, then its resources. */
    private static AutoCloseable shutdownOf(AbstractRedisClient client, ClientResources resources) {
        return () -> {
            try {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            } finally {
                resources.shutdown(0, 2, TimeUnit.SECONDS);
            }
        };
    }

    /** The password in a URI's user-info (Lettuce reads a user-info without a colon as the password), or null. */
    static String password(String uri) {
        int start = uri.indexOf("://");
        if (start < 0) {
            return null;
        }
        start += 3;
        int end = uri.length();
        for (char c : new char[]{'/', '?', '#'}) {
            int i = uri.indexOf(c, start);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = uri.substring(start, end);
        int at = authority.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        String userInfo = authority.substring(0, at);
        int colon = userInfo.indexOf(':');
        String password = colon >= 0 ? userInfo.substring(colon + 1) : userInfo;
        return password.isEmpty() ? null : password;
    }

}
