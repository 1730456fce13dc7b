package dev.profileservice.internal.memory;

import dev.profileservice.spi.MessageBus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/** In-process bus: delivers on one daemon thread per shared memory store. */
final class MemoryMessageBus {
    private final Map<String, Consumer<String>> subscribers = new ConcurrentHashMap<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "profileservice-memory-bus");
        t.setDaemon(true);
        return t;
    });

    /** A per-service view: closing it removes only the subscriptions made through it. */
    MessageBus view() {
        return new MessageBus() {
            private final Map<String, Boolean> mine = new ConcurrentHashMap<>();

            @Override
            public void subscribe(String serverId, Consumer<String> handler) {
                subscribers.put(serverId, handler);
                mine.put(serverId, Boolean.TRUE);
            }

            @Override
            public void publish(String targetServerId, String message) {
                Consumer<String> handler = subscribers.get(targetServerId);
                if (handler != null) {
                    delivery.execute(() -> handler.accept(message));
                }
            }

            @Override
            public void close() {
                mine.keySet().forEach(subscribers::remove);
            }
        };
    }
}
