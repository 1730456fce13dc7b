package dev.profileservice.redis.internal;

import dev.profileservice.spi.MessageBus;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis pub/sub as the {@link MessageBus}: server {@code S} listens on channel
 * {@code PREFIX:bus:S} over a dedicated pub/sub connection; messages are published over the
 * backend's command connection, fire-and-forget.
 *
 * <h2>Threads and failures</h2>
 * Lettuce receives messages on its I/O thread; this bus hands each to its own single daemon thread
 * ({@code profileservice-redis-bus}), which calls the handler, so a slow handler never stalls the
 * connection. Lettuce re-subscribes every confirmed channel after a reconnect; a SUBSCRIBE that
 * fails (store down at that moment) is retried every second until it succeeds. Messages published
 * while a subscriber is disconnected are lost, which only makes the engine fall back to polling.
 */
final class RedisMessageBus implements MessageBus {
    private static final Logger LOG = LoggerFactory.getLogger(RedisMessageBus.class);
    private static final long RESUBSCRIBE_DELAY_MILLIS = 1000;

    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisClusterAsyncCommands<String, byte[]> publisher;
    private final RedisKeys keys;
    private final String description;
    private final Map<String, Consumer<String>> handlers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService delivery;
    private volatile boolean closed;

    RedisMessageBus(
            StatefulRedisPubSubConnection<String, String> pubSub,
            RedisClusterAsyncCommands<String, byte[]> publisher,
            RedisKeys keys,
            String description) {
        this.pubSub = pubSub;
        this.publisher = publisher;
        this.keys = keys;
        this.description = description;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "profileservice-redis-bus");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.delivery = executor;
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                deliver(channel, message);
            }
        });
    }

    private void deliver(String channel, String message) {
        Consumer<String> handler = handlers.get(channel);
        if (handler == null || closed) {
            return;
        }
        try {
            delivery.execute(() -> {
                try {
                    handler.accept(message);
                } catch (RuntimeException e) {
                    LOG.warn("message handler for {} on {} failed", channel, description, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    @Override
    public void subscribe(String serverId, Consumer<String> handler) {
        if (closed) {
            throw new IllegalStateException("message bus of " + description + " is closed");
        }
        String channel = keys.channel(serverId);
        handlers.put(channel, handler);
        sendSubscribe(channel);
    }

    private void sendSubscribe(String channel) {
        if (closed || !handlers.containsKey(channel)) {
            return;
        }
        pubSub.async().subscribe(channel).whenComplete((ok, error) -> {
            if (error != null && !closed) {
                LOG.warn(
                        "SUBSCRIBE {} on {} failed ({}); retrying in {} ms",
                        channel,
                        description,
                        error.getMessage(),
                        RESUBSCRIBE_DELAY_MILLIS);
                try {
                    delivery.schedule(() -> sendSubscribe(channel), RESUBSCRIBE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException ignored) {
                    // closing
                }
            }
        });
    }

    @Override
    public void publish(String targetServerId, String message) {
        if (closed) {
            return;
        }
        try {
            publisher
                    .publish(keys.channel(targetServerId), message.getBytes(StandardCharsets.UTF_8))
                    .whenComplete((receivers, error) -> {
                        if (error != null) {
                            LOG.debug("PUBLISH to {} on {} lost: {}", targetServerId, description, error.getMessage());
                        }
                    });
        } catch (RuntimeException e) {
            LOG.debug("PUBLISH to {} on {} lost: {}", targetServerId, description, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        handlers.clear();
        delivery.shutdownNow();
        RedisBackend.closeQuietly(pubSub);
    }
}
