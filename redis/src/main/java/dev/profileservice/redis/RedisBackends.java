package dev.profileservice.redis;

import dev.profileservice.redis.internal.RedisConnector;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Creates the Redis {@link Backend} for {@code ProfileService.builder().backend(Backend)}, for users
 * who want to bring their own Lettuce {@link RedisClient} or {@link RedisURI} instead of a
 * {@code redis://} URI string.
 *
 * <pre>{@code
 * RedisClient client = RedisClient.create(RedisURI.create("redis://:secret@cache:6379/0"));
 * ProfileService service = ProfileService.builder()
 *         .backend(RedisBackends.create(client))          // the service closes the backend,
 *         .build();                                       // never your client
 * }</pre>
 *
 * <p>Every factory connects at once, checks the server with {@code PING} and fails fast with a
 * {@link BackendException} naming the server (password masked) when it cannot be reached. The
 * backend keeps two connections (commands, and pub/sub for the message bus). The returned backend
 * is thread-safe: its methods block the calling thread for at most the command timeout per round
 * trip; pub/sub messages are delivered on a daemon thread of the backend.
 */
public final class RedisBackends {

    private RedisBackends() {}

    /**
     * Opens {@code redis://[user:password@]host[:port][/database][?timeout=5s&prefix=ps&wait=1]} or
     * {@code rediss://...} (TLS), with {@code cluster=true} for a Redis Cluster (the host is a
     * seed), or {@code redis-sentinel://host:26379[,host:port...][/database][?...]#masterName}
     * through Sentinel (following failovers): the same as {@code ProfileService.builder().backend(uri)}. The
     * backend owns its client and shuts it down on {@link Backend#close()}.
     *
     * @throws IllegalArgumentException if the URI is not a {@code redis://} or {@code rediss://} URI
     * @throws BackendException         if the URI is malformed or the server cannot be reached
     */
    public static Backend open(String uri) {
        return RedisConnector.open(uri);
    }

    /** A backend on a client of its own for {@code uri}, with {@link Options#defaults()}. It shuts the client down on close. */
    public static Backend create(RedisURI uri) {
        return create(uri, Options.defaults());
    }

    /** A backend on a client of its own for {@code uri}. It shuts the client down on close. */
    public static Backend create(RedisURI uri, Options options) {
        return RedisConnector.create(Objects.requireNonNull(uri, "uri"), Objects.requireNonNull(options, "options"));
    }

    /**
     * A backend on the caller's client, connecting to the client's default URI (the one given to
     * {@link RedisClient#create(RedisURI)}), with {@link Options#defaults()}. Closing the backend
     * closes its own connections, never the client. The client's options (reconnect, disconnected
     * behaviour) stay as the caller set them.
     */
    public static Backend create(RedisClient client) {
        return create(client, Options.defaults());
    }

    /** As {@link #create(RedisClient)}, with the given options. */
    public static Backend create(RedisClient client, Options options) {
        return RedisConnector.create(
                Objects.requireNonNull(client, "client"), Objects.requireNonNull(options, "options"));
    }

    /**
     * A backend on a Redis Cluster, on a cluster client of its own that discovers the cluster from
     * the seed {@code uri}. It shuts the client down on close. Every per-profile operation touches
     * one slot (keys are hash-tagged {@code {store:key}}); administrative listings SCAN every node.
     */
    public static Backend createCluster(RedisURI seed, Options options) {
        return RedisConnector.createCluster(
                Objects.requireNonNull(seed, "seed"), Objects.requireNonNull(options, "options"));
    }

    /** A backend on the caller's Redis Cluster client. Closing the backend never closes the client. */
    public static Backend create(RedisClusterClient client, Options options) {
        return RedisConnector.create(
                Objects.requireNonNull(client, "client"), Objects.requireNonNull(options, "options"));
    }

    /**
     * Settings of a Redis backend. Immutable.
     *
     * @param keyPrefix      first part of every key and channel name the backend uses, so several
     *                       independent deployments can share one database; matches
     *                       {@code [A-Za-z0-9_.:-]{1,50}}; default {@code "ps"}
     * @param commandTimeout how long one round trip may take before the call fails with a transient
     *                       {@link BackendException} (a cut connection must not hang the engine);
     *                       default 5 seconds
     * @param waitReplicas   how many replicas must have a write (an acquire, save, release, gift,
     *                       overwrite, forced release or wipe) before it counts as done ({@code WAIT}); 0 (the default) does not wait, and a
     *                       failover may then lose writes the old primary acknowledged. Not with a
     *                       Redis Cluster
     * @param waitTimeout    how long {@code WAIT} may block (the connection's other commands wait
     *                       behind it); fewer replicas by then fail the call, which the engine
     *                       retries and reports. Default 1 second
     */
    public record Options(String keyPrefix, Duration commandTimeout, int waitReplicas, Duration waitTimeout) {
        /** No braces (they would break the hash tag {@code {store:key}}), no glob characters (SCAN patterns). */
        private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,50}");

        /** Default key prefix. */
        public static final String DEFAULT_KEY_PREFIX = "ps";
        /** Default command timeout. */
        public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
        /** Default {@link #waitTimeout}. */
        public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(1);

        /** Options that wait for no replica. */
        public Options(String keyPrefix, Duration commandTimeout) {
            this(keyPrefix, commandTimeout, 0, DEFAULT_WAIT_TIMEOUT);
        }

        public Options {
            if (keyPrefix == null || !PREFIX.matcher(keyPrefix).matches()) {
                throw new IllegalArgumentException(
                        "Redis key prefix must match " + PREFIX.pattern() + ", was '" + keyPrefix + "'");
            }
            if (commandTimeout == null || commandTimeout.isZero() || commandTimeout.isNegative()) {
                throw new IllegalArgumentException("commandTimeout must be a positive duration, was " + commandTimeout);
            }
            if (waitReplicas < 0) {
                throw new IllegalArgumentException("waitReplicas must be 0 or more, was " + waitReplicas);
            }
            if (waitTimeout == null || waitTimeout.isZero() || waitTimeout.isNegative()) {
                throw new IllegalArgumentException("waitTimeout must be a positive duration, was " + waitTimeout);
            }
        }

        /** Prefix {@code "ps"}, command timeout 5 s. */
        public static Options defaults() {
            return new Options(DEFAULT_KEY_PREFIX, DEFAULT_COMMAND_TIMEOUT);
        }

        /** A copy with another key prefix. */
        public Options withKeyPrefix(String prefix) {
            return new Options(prefix, commandTimeout, waitReplicas, waitTimeout);
        }

        /** A copy with another command timeout. */
        public Options withCommandTimeout(Duration timeout) {
            return new Options(keyPrefix, timeout, waitReplicas, waitTimeout);
        }

        /** A copy whose writes count as done once {@code replicas} replicas have them, waiting at most {@code timeout}. */
        public Options withWaitReplicas(int replicas, Duration timeout) {
            return new Options(keyPrefix, commandTimeout, replicas, timeout);
        }
    }
}
