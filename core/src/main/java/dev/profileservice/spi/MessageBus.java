package dev.profileservice.spi;

import java.util.function.Consumer;

/**
 * Best-effort messages between servers. The store stays the source of truth: a message only says
 * "look now" (someone asks you to release a key; a key you wait for was released; a key you hold got
 * a new global update). Losing a message must only make things slower, never wrong; the engine falls
 * back to polling the store.
 *
 * <p>Implementations: Redis pub/sub, PostgreSQL LISTEN/NOTIFY, a polled table for stores without
 * push, an in-process bus for {@code memory:}.
 */
public interface MessageBus extends AutoCloseable {

    /**
     * Starts delivering messages addressed to {@code serverId} to {@code handler}. Called once per
     * server. The handler is called on a thread of the bus; it must return quickly.
     */
    void subscribe(String serverId, Consumer<String> handler);

    /**
     * Sends {@code message} to the server {@code targetServerId}, if it listens. Never blocks for
     * long; failures are swallowed or thrown as {@link BackendException} (the engine treats both as
     * "message lost").
     */
    void publish(String targetServerId, String message);

    /** Stops delivery and frees resources. */
    @Override
    void close();
}
