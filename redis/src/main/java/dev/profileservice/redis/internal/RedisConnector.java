package dev.profileservice.redis.internal;

import dev.profileservice.redis.RedisBackends.Options;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.BackendUris;
import dev.profileservice.spi.StoreUri;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a URI string, a {@link RedisURI} or a caller's Lettuce client into a connected, checked
 * {@link RedisBackend}: parses the URI ({@link StoreUri} for our parameters and the password,
 * Lettuce's {@link RedisURI} for the connection), makes the client, connects, PINGs, records the
 * key layout version and loads the scripts. Stateless; thread-safe; every method blocks the calling
 * thread for at most the connect and command timeouts.
 *
 * <p>A client made here is tuned for failing fast and coming back fast: commands are rejected at
 * once while disconnected (instead of queueing until they time out), every command times out after
 * the command timeout, and reconnect attempts back off from 50 ms to at most {@link #MAX_RECONNECT_DELAY},
 * so saves resume within moments of the server's return.
 */
public final class RedisConnector {
    /** Schemes this module handles. */
    public static final List<String> SCHEMES = List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel");
    /** The longest pause between reconnect attempts: well under any auto-save period. */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(250);
    /** Keys as UTF-8 strings, values (payloads, inboxes, script arguments) as raw bytes. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    /** Lettuce's form of {@code timeout}: a whole number and a unit, milliseconds without one. */
    private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,15})(ns|us|ms|s|m|h|d)?");

    private RedisConnector() {}

    /**
     * Opens {@code redis://[user:password@]host[:port][/database][?timeout=5s&prefix=ps&cluster=true]},
     * {@code rediss://...}, or {@code redis-sentinel://host:26379[,host:port...][/database][?...]#master}
     * (Lettuce's form: the master is found through the sentinels, again after every failover). Our
     * parameters ({@code prefix}, {@code cluster}, {@code timeout}, {@code wait}, {@code waitTimeout})
     * are taken out; Lettuce reads the rest of the URI.
     */
    public static RedisBackend open(String uri) {
        if (uri == null) {
            throw new IllegalArgumentException("Redis URI must not be null");
        }
        if (!SCHEMES.contains(BackendUris.scheme(uri))) {
            throw new IllegalArgumentException("not a Redis URI: '" + BackendUris.mask(uri)
                    + "'; expected redis://[user:password@]host[:port][/database], rediss://..."
                    + " or redis-sentinel://host:26379[,host:port...][/database]#masterName");
        }
        boolean sentinel = BackendUris.scheme(uri).endsWith("-sentinel");
        StoreUri u = StoreUri.parse(uri, sentinel ? RedisURI.DEFAULT_SENTINEL_PORT : RedisURI.DEFAULT_REDIS_PORT);
        if (sentinel && (u.fragment() == null || u.fragment().isBlank())) {
            throw new BackendException(
                    "store URI '" + u.masked() + "' names no master: end it with #masterName,"
                            + " e.g. redis-sentinel://127.0.0.1:26379#mymaster",
                    false);
        }
        if (!sentinel && u.hosts().size() != 1) {
            throw new BackendException(
                    "store URI '" + u.masked() + "' names " + u.hosts().size()
                            + " hosts; give one (for a Redis Cluster, one seed node and cluster=true)",
                    false);
        }
        String prefix = u.take("prefix", Options.DEFAULT_KEY_PREFIX);
        boolean cluster = u.takeBoolean("cluster", false);
        int wait = u.takeInt("wait", 0);
        if (cluster && (sentinel || wait > 0)) {
            throw new BackendException(
                    "store URI '" + u.masked() + "': cluster=true cannot be combined with "
                            + (sentinel ? "Sentinel" : "wait (WAIT must reach the node that took the write)"),
                    false);
        }
        Options options;
        try {
            options = new Options(
                    prefix,
                    duration(u, "timeout", Options.DEFAULT_COMMAND_TIMEOUT),
                    wait,
                    duration(u, "waitTimeout", Options.DEFAULT_WAIT_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw new BackendException("store URI '" + u.masked() + "': " + e.getMessage(), false);
        }
        RedisErrors errors = new RedisErrors(u.secret());
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(u.withHosts(u.hosts()));
        } catch (RuntimeException e) {
            throw new BackendException(
                    errors.scrub("malformed store URI '" + u.masked() + "': " + e.getMessage()), false, e);
        }
        return cluster
                ? ownClusterClient(redisUri, options, u.masked(), u.secret())
                : ownClient(redisUri, options, u.masked(), u.secret());
    }

    /** Takes the duration {@code name} out of {@code u}, in Lettuce's form (e.g. {@code 500ms}, {@code 5s}); {@code def} if absent. */
    private static Duration duration(StoreUri u, String name, Duration def) {
        String value = u.take(name, null);
        if (value == null) {
            return def;
        }
        Matcher m = TIMEOUT.matcher(value.trim());
        if (!m.matches()) {
            throw new BackendException(
                    "store URI '" + u.masked() + "': parameter " + name + " must be a whole number with a unit"
                            + " (ns, us, ms, s, m, h, d; ms if none), e.g. 500ms or 5s, was '" + value + "'",
                    false);
        }
        TimeUnit unit = switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "ns" -> TimeUnit.NANOSECONDS;
            case "us" -> TimeUnit.MICROSECONDS;
            case "s" -> TimeUnit.SECONDS;
            case "m" -> TimeUnit.MINUTES;
            case "h" -> TimeUnit.HOURS;
            case "d" -> TimeUnit.DAYS;
            default -> TimeUnit.MILLISECONDS;
        };
        return Duration.ofNanos(unit.toNanos(Long.parseLong(m.group(1))));
    }

    /** A backend on a client of its own for {@code uri}. */
    public static RedisBackend create(RedisURI uri, Options options) {
        // RedisURI.toString() masks the password.
        return ownClient(uri, options, uri.toString(), null);
    }

    /** A backend on a cluster client of its own, discovering the cluster from the seed {@code uri}. */
    public static RedisBackend createCluster(RedisURI uri, Options options) {
        return ownClusterClient(uri, options, uri.toString(), null);
    }

    /** A backend on the caller's client (its default URI); the client is not shut down on close. */
    public static RedisBackend create(RedisClient client, Options options) {
        return connect(
                () -> client.connect(CODEC),
                () -> client.connectPubSub(StringCodec.UTF8),
                options,
                "redis (caller's RedisClient)",
                null,
                null);
    }

    /** A backend on the caller's cluster client; the client is not shut down on close. */
    public static RedisBackend create(RedisClusterClient client, Options options) {
        return connectCluster(client, options, "redis cluster (caller's RedisClusterClient)", null, null);
    }

    private static RedisBackend ownClient(RedisURI uri, Options options, String description, String password) {
        uri.setTimeout(options.commandTimeout());
        ClientResources resources = resources();
        RedisClient client = RedisClient.create(resources, uri);
        ClientOptions.Builder clientOptions = ClientOptions.builder();
        connectionOptions(clientOptions, options.commandTimeout());
        client.setOptions(clientOptions.build());
        return connect(
                () -> client.connect(CODEC, uri),
                () -> client.connectPubSub(StringCodec.UTF8, uri),
                options,
                description,
                password,
                shutdownOf(client, resources));
    }

    private static RedisBackend ownClusterClient(RedisURI uri, Options options, String description, String password) {
        uri.setTimeout(options.commandTimeout());
        ClientResources resources = resources();
        RedisClusterClient client = RedisClusterClient.create(resources, uri);
        ClusterClientOptions.Builder clientOptions = ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .build());
        connectionOptions(clientOptions, options.commandTimeout());
        client.setOptions(clientOptions.build());
        return connectCluster(client, options, description, password, shutdownOf(client, resources));
    }

    /** {@link #connect} through a cluster client, the caller's or one of this library's own. */
    private static RedisBackend connectCluster(
            RedisClusterClient client, Options options, String description, String password, AutoCloseable owned) {
        return connect(
                () -> client.connect(CODEC),
                () -> client.connectPubSub(StringCodec.UTF8),
                options,
                description,
                password,
                owned);
    }

    private static ClientResources resources() {
        return ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
    }

    /** What clients this library owns share: reconnect on their own, refuse commands while disconnected, time out. */
    private static void connectionOptions(ClientOptions.Builder options, Duration timeout) {
        options.autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(timeout)
                        .keepAlive(true)
                        .build())
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

    /**
     * Connects, checks the server with PING, records the layout version, loads the scripts and opens
     * the pub/sub connection.
     *
     * @param connect       opens the command connection (standalone or cluster)
     * @param connectPubSub opens the pub/sub connection
     * @param description   the URI with its password masked, for messages
     * @param password      the password to scrub from messages, or null
     * @param owned         closed with the backend (or at once if opening fails); null if none
     * @throws BackendException naming {@code description} if the server cannot be reached
     */
    private static RedisBackend connect(
            Supplier<? extends StatefulConnection<String, byte[]>> connect,
            Supplier<? extends StatefulRedisPubSubConnection<String, String>> connectPubSub,
            Options options,
            String description,
            String password,
            AutoCloseable owned) {
        RedisKeys keys = new RedisKeys(options.keyPrefix());
        RedisErrors errors = new RedisErrors(password);
        StatefulConnection<String, byte[]> connection = null;
        StatefulRedisPubSubConnection<String, String> pubSub = null;
        try {
            connection = connect.get();
            connection.setTimeout(options.commandTimeout());
            CommandConnection redis = new CommandConnection(
                    connection,
                    description,
                    errors,
                    options.commandTimeout(),
                    options.waitReplicas(),
                    options.waitTimeout());
            String pong = redis.sync().ping();
            if (!"PONG".equalsIgnoreCase(pong)) {
                throw new BackendException("Redis at " + description + " answered PING with '" + pong + "'", false);
            }
            new RedisLayout(redis, keys).ensure();
            redis.load(Scripts.LOADED);
            pubSub = connectPubSub.get();
            pubSub.setTimeout(options.commandTimeout());
            RedisMessageBus bus = new RedisMessageBus(pubSub, redis.async(), keys, description);
            return new RedisBackend(redis, bus, keys, owned);
        } catch (RuntimeException e) {
            RedisBackend.closeQuietly(pubSub);
            RedisBackend.closeQuietly(connection);
            RedisBackend.closeQuietly(owned);
            throw errors.map("cannot open Redis backend " + description + ":", e);
        }
    }
}
