package dev.profileservice.internal;

import dev.profileservice.spi.MessageBus;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message side of a hand-over between servers (see {@link Message}): a loading server asks
 * the owner to release ({@link Message.Kind#PLEASE_RELEASE}) or to tell it when it does
 * ({@link Message.Kind#NOTIFY_ON_RELEASE}), the owner answers {@link Message.Kind#RELEASED} once its
 * final save is durable, and a sender of a gift nudges the owner ({@link Message.Kind#NEW_UPDATE}).
 * Without a message bus nothing is sent, and the waits simply run out after a poll interval.
 *
 * <p>Threads: messages arrive on the bus's thread and are handled on an I/O thread; the rest is
 * called from I/O threads. Waits are timed on the scheduler.
 */
final class HandOver {
    private static final Logger LOG = LoggerFactory.getLogger(HandOver.class);

    private final Engine engine;
    private final Optional<MessageBus> bus;
    /** slot -> the load of this server that waits for the slot's owner to release it. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> releaseWaiters = new ConcurrentHashMap<>();
    /** slot -> servers waiting for us to release it (they asked). */
    private final ConcurrentHashMap<String, Set<String>> watchers = new ConcurrentHashMap<>();

    HandOver(Engine engine, Optional<MessageBus> bus) {
        this.engine = engine;
        this.bus = bus;
    }

    /** Starts receiving this server's messages. */
    void subscribe() {
        bus.ifPresent(b -> b.subscribe(engine.me.serverId(), this::onMessage));
    }

    /** Sends {@code kind} about {@code store/key} to {@code serverId}; a lost message costs a poll interval, never safety. */
    void send(String serverId, Message.Kind kind, String store, String key) {
        send(serverId, new Message(kind, engine.me.serverId(), store, key));
    }

    /** Asks {@code serverId} to release its session of {@code store/key} at {@code epoch}, and no later one. */
    void askToRelease(String serverId, String store, String key, long epoch) {
        send(serverId, new Message(Message.Kind.RELEASE_SESSION, engine.me.serverId(), store, key, epoch));
    }

    private void send(String serverId, Message message) {
        bus.ifPresent(b -> {
            try {
                b.publish(serverId, message.encode());
            } catch (RuntimeException e) {
                LOG.debug("message to {} lost: {}", serverId, e.toString());
            }
        });
    }

    /**
     * Completes (on the I/O pool) after {@code delay}, or earlier when a {@code RELEASED} message for
     * {@code slot} arrives. Register it before asking the owner, so a fast answer is not missed.
     * One load per slot per service exists at a time, so one waiter per slot suffices.
     */
    CompletableFuture<Void> waitForRelease(String slot, Duration delay) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        releaseWaiters.put(slot, done);
        ScheduledFuture<?> timer = engine.scheduler.schedule(
                () -> {
                    releaseWaiters.remove(slot, done);
                    done.complete(null);
                },
                delay.toMillis(),
                TimeUnit.MILLISECONDS);
        done.whenComplete((v, e) -> timer.cancel(false));
        return done.thenApplyAsync(v -> v, engine.io);
    }

    /** A profile of ours stopped being active: tells every server that waits for it. */
    void released(String store, String key) {
        Set<String> waiting = watchers.remove(Engine.slot(store, key));
        if (waiting != null) {
            waiting.forEach(serverId -> send(serverId, Message.Kind.RELEASED, store, key));
        }
    }

    private void watch(String slot, String serverId) {
        watchers.computeIfAbsent(slot, k -> ConcurrentHashMap.newKeySet()).add(serverId);
    }

    private void onMessage(String text) {
        Optional<Message> decoded = Message.decode(text);
        if (decoded.isEmpty()) {
            LOG.debug("ignoring message {}", text);
            return;
        }
        Message m = decoded.get();
        String slot = Engine.slot(m.store(), m.key());
        engine.io.execute(() -> {
            switch (m.kind()) {
                case PLEASE_RELEASE, RELEASE_SESSION, NOTIFY_ON_RELEASE -> {
                    Object held = engine.slots.get(slot);
                    if (held instanceof ActiveProfile<?> p && p.isActive()) {
                        watch(slot, m.from());
                        if (m.kind() == Message.Kind.PLEASE_RELEASE
                                || (m.kind() == Message.Kind.RELEASE_SESSION && m.epoch() >= p.epoch())) {
                            p.releaseAsync();
                        } // an ask about an earlier session of ours is late: the asker reads the store again
                    } else if (held instanceof ActiveProfile<?> p) {
                        p.releaseFuture()
                                .whenComplete((v, e) -> send(m.from(), Message.Kind.RELEASED, m.store(), m.key()));
                    } else if (held == null) {
                        send(
                                m.from(),
                                Message.Kind.RELEASED,
                                m.store(),
                                m.key()); // not ours (any more): look again now
                    } else {
                        watch(slot, m.from()); // we are loading it ourselves
                    }
                }
                case RELEASED -> {
                    CompletableFuture<Void> waiter = releaseWaiters.remove(slot);
                    if (waiter != null) {
                        waiter.complete(null);
                    }
                }
                case NEW_UPDATE -> {
                    if (engine.slots.get(slot) instanceof ActiveProfile<?> p) {
                        p.cycle().request(false); // a gift arrived: sync now, not at the next auto-save
                    }
                }
            }
        });
    }
}
