package dev.profileservice.redis.internal;

import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.RoundTripListener;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A backend's command connection and the plumbing every operation goes through: the closed check
 * and the mapping of failures ({@link #call}), round-trip reporting ({@link #roundTrip}), scripts
 * by EVALSHA with the EVAL fallback when the server lost its script cache ({@link #eval},
 * {@link #evalPipelined}), and awaiting pipelined replies ({@link #await}).
 * Used by {@link RedisBackend}, {@link RedisSaveBatch} and {@link RedisAdmin}.
 *
 * <h2>Threads</h2>
 * Thread-safe: every caller shares the one multiplexed Lettuce connection, and a call blocks its
 * caller for at most the command timeout per round trip. Lettuce's I/O threads complete the
 * futures of pipelined commands; their replies are read on the calling thread.
 */
final class CommandConnection implements AutoCloseable {
    /** Keys asked for per SCAN page. */
    private static final int SCAN_COUNT = 1000;

    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterCommands<String, byte[]> sync;
    private final RedisClusterAsyncCommands<String, byte[]> async;
    private final String description;
    private final RedisErrors errors;
    private final Duration timeout;
    private final int waitReplicas;
    private final Duration waitTimeout;
    private volatile boolean closed;
    private volatile RoundTripListener roundTrips = RoundTripListener.NONE;

    /**
     * @param connection  a standalone or cluster connection, its timeout already set to {@code timeout}
     * @param description the server or URI with its password masked, for messages
     * @param errors      maps failures to {@link BackendException}s without the password
     * @param timeout     the command timeout, also the deadline of a pipelined wave
     * @param waitReplicas replicas {@link #awaitReplicas} waits for (0: none)
     * @param waitTimeout  the longest {@link #awaitReplicas} blocks
     */
    CommandConnection(
            StatefulConnection<String, byte[]> connection,
            String description,
            RedisErrors errors,
            Duration timeout,
            int waitReplicas,
            Duration waitTimeout) {
        this.connection = connection;
        if (connection instanceof StatefulRedisClusterConnection<String, byte[]> c) {
            this.sync = c.sync();
            this.async = c.async();
        } else if (connection instanceof StatefulRedisConnection<String, byte[]> c) {
            this.sync = c.sync();
            this.async = c.async();
        } else {
            throw new IllegalStateException(
                    "unsupported Lettuce connection " + connection.getClass().getName());
        }
        this.description = description;
        this.errors = errors;
        this.timeout = timeout;
        if (waitReplicas > 0 && isCluster()) {
            throw new BackendException(
                    description + ": waiting for replicas (wait=" + waitReplicas
                            + ") is not supported on a Redis Cluster: WAIT must reach the node that took the write",
                    false);
        }
        this.waitReplicas = waitReplicas;
        this.waitTimeout = waitTimeout;
    }

    /**
     * After a write this connection sent: returns once {@code waitReplicas} replicas have it
     * ({@code WAIT}, which covers every write sent before it on this connection), so a failover
     * cannot lose it; fewer within the wait timeout throw a transient {@link BackendException}: the
     * write is on the primary but not known to survive its loss, and the engine retries the call
     * (every write is idempotent for its caller). No-op when no replicas are waited for.
     */
    void awaitReplicas(String operation, String store, String key) {
        awaitReplicas(operation, store + "/" + key);
    }

    /** {@link #awaitReplicas(String, String, String)} of a write named by {@code subject}. */
    void awaitReplicas(String operation, String subject) {
        if (waitReplicas == 0) {
            return;
        }
        roundTrip("wait");
        long acknowledged = sync.waitForReplication(waitReplicas, waitTimeout.toMillis());
        if (acknowledged < waitReplicas) {
            throw new BackendException(
                    description + ": " + operation + " of " + subject + ": only " + acknowledged
                            + " of " + waitReplicas + " replica(s) acknowledged it within " + waitTimeout.toMillis()
                            + " ms (wait=" + waitReplicas + "); it is on the primary but may not survive a failover",
                    true);
        }
    }

    /** Blocking commands: each one round trip, failing after the command timeout. */
    RedisClusterCommands<String, byte[]> sync() {
        return sync;
    }

    /** Pipelined commands: written at once, answered through futures to {@link #await}. */
    RedisClusterAsyncCommands<String, byte[]> async() {
        return async;
    }

    /** Redis Cluster: a script may only take keys of one slot. */
    boolean isCluster() {
        return connection instanceof StatefulRedisClusterConnection;
    }

    String description() {
        return description;
    }

    Duration timeout() {
        return timeout;
    }

    void setRoundTripListener(RoundTripListener listener) {
        this.roundTrips = listener == null ? RoundTripListener.NONE : listener;
    }

    /** Reports one round trip of {@code operation}; call right before the request is sent. */
    void roundTrip(String operation) {
        roundTrips.roundTrip(operation);
    }

    /** {@link #call(String, String, Supplier)} of an operation on one record, named {@code store/key}. */
    <T> T call(String operation, String store, String key, Supplier<T> body) {
        return call(operation, store + "/" + key, body);
    }

    /**
     * Runs {@code body} (which reports its own round trips) and maps every failure to a
     * {@link BackendException} naming this connection, the operation and its {@code subject}
     * (e.g. {@code store/key}). Refuses at once once closed.
     */
    <T> T call(String operation, String subject, Supplier<T> body) {
        if (closed) {
            throw new BackendException(description + " is closed", false);
        }
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw errors.map(description + ": " + operation + " of " + subject, e);
        }
    }

    /**
     * Runs a script: EVALSHA, or EVAL if the server does not know it (after a restart or SCRIPT
     * FLUSH; the refused EVALSHA ran nothing). One round trip normally, two after such a loss.
     */
    <T> T eval(Script script, ScriptOutputType type, String[] keys, byte[]... args) {
        roundTrip(script.operation());
        try {
            return sync.evalsha(script.sha(), type, keys, args);
        } catch (RedisNoScriptException e) {
            roundTrip(script.operation());
            return sync.eval(script.source(), type, keys, args);
        }
    }

    /** {@link #eval} of a script that answers an array. */
    List<Object> eval(Script script, String[] keys, byte[]... args) {
        return eval(script, ScriptOutputType.MULTI, keys, args);
    }

    /**
     * Runs {@code script} once per entry of {@code keys} and {@code args} (which have the same
     * length), all pipelined: every EVALSHA is written before any answer is awaited, and all are
     * awaited within one command timeout; one round trip, reported once. The ones the server
     * refused with NOSCRIPT (they ran nothing) are sent again with EVAL, pipelined too: a second
     * round trip. Any other failure is thrown.
     *
     * @return the answers, in the order of {@code keys}
     */
    List<List<Object>> evalPipelined(Script script, List<String[]> keys, List<byte[][]> args) {
        List<List<Object>> answers = new ArrayList<>(keys.size());
        List<Integer> all = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            answers.add(null);
            all.add(i);
        }
        roundTrip(script.operation());
        List<Integer> refused = sendPipelined(true, script, all, keys, args, answers);
        if (!refused.isEmpty()) {
            roundTrip(script.operation());
            sendPipelined(false, script, refused, keys, args, answers);
        }
        return answers;
    }

    /** One wave of {@link #evalPipelined}: sends the calls {@code which}, stores their answers, returns those refused with NOSCRIPT. */
    private List<Integer> sendPipelined(
            boolean bySha,
            Script script,
            List<Integer> which,
            List<String[]> keys,
            List<byte[][]> args,
            List<List<Object>> answers) {
        List<RedisFuture<List<Object>>> futures = new ArrayList<>(which.size());
        for (int i : which) {
            futures.add(
                    bySha
                            ? async.evalsha(script.sha(), ScriptOutputType.MULTI, keys.get(i), args.get(i))
                            : async.eval(script.source(), ScriptOutputType.MULTI, keys.get(i), args.get(i)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Integer> refused = new ArrayList<>();
        for (int j = 0; j < futures.size(); j++) {
            try {
                answers.set(which.get(j), await(futures.get(j), deadline));
            } catch (RedisNoScriptException e) {
                refused.add(which.get(j));
            }
        }
        return refused;
    }

    /** SCRIPT LOAD of {@code scripts}, pipelined, so that the first EVALSHA of each already hits. */
    void load(List<Script> scripts) {
        List<RedisFuture<String>> futures = new ArrayList<>();
        for (Script s : scripts) {
            futures.add(async.scriptLoad(s.source()));
        }
        for (RedisFuture<String> f : futures) {
            await(f);
        }
    }

    /** Awaits a pipelined command for at most the command timeout from now. */
    <T> T await(RedisFuture<T> future) {
        return await(future, System.nanoTime() + timeout.toNanos());
    }

    /**
     * Awaits a pipelined command until {@code deadlineNanos} ({@link System#nanoTime()}), so that
     * several commands sent together share one timeout; fails as a blocking command would.
     */
    <T> T await(RedisFuture<T> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new RedisCommandInterruptedException(e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new RedisCommandTimeoutException("Command timed out after " + timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new RedisException(cause);
        }
    }

    /** Makes every later {@link #call} fail at once, before the connection itself is closed. */
    void markClosed() {
        closed = true;
    }

    /** Closes the Lettuce connection (after {@link #markClosed}). */
    @Override
    public void close() {
        markClosed();
        connection.close();
    }

    /** Every key matching {@code pattern}, by SCAN: one round trip per page (on a cluster, Lettuce scans every node). */
    List<String> scan(String operation, String pattern) {
        List<String> out = new ArrayList<>();
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            roundTrip(operation);
            KeyScanCursor<String> page = sync.scan(cursor, args);
            out.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return out;
    }
}
