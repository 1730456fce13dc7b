package dev.profileservice.internal;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.ProfileServiceException;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.UpdateOp;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Sends global updates ({@code globalUpdateProfile}): runs the sender's handler, reads the
 * profile's updates only if the handler looks at them, and writes its changes with one
 * {@link dev.profileservice.spi.Backend#sendUpdates} (all or nothing).
 *
 * <ul>
 *   <li><b>Adds only</b> (the common case): no read, one round trip, no retry loop; adds are
 *       numbered by the store and never conflict. Sends of adds to the same key that come while one
 *       is at the store wait and then go together in one round trip (group commit, as saves do).</li>
 *   <li><b>Changes or clears</b>: the handler runs on the updates read first; its changes are
 *       conditional on the versions it saw, so they conflict only with writers of those same
 *       updates. On a conflict (typically: the owner locked the update meanwhile), the handler runs
 *       again on a fresh read, where it sees the update Locked.</li>
 *   <li>Every add carries a token, so a retry after a lost reply never adds twice.</li>
 *   <li>A full inbox ({@code maxPendingUpdates}) fails a send at once when nobody holds the
 *       profile; when a session holds it, sends of adds wait up to {@link #FULL_WAIT} (or two auto-save periods) for the owner
 *       to take updates in (backpressure), trying again after short pauses.</li>
 * </ul>
 *
 * <p>Threads: handlers run on I/O threads (the caller's blocking call waits for them); store calls
 * on the I/O pool through {@link Engine#call}.
 */
final class GiftSender {
    /** How often a handler that changes or clears runs again after conflicts before the send fails. */
    static final int CONFLICT_ATTEMPTS = 50;
    /** The most sends of adds that share one round trip. */
    static final int MAX_GROUP = 256;
    /**
     * How long sends of adds wait at least, when the inbox is full but a session holds the profile,
     * for the owner to take updates in before they fail; at least two auto-save periods too, since
     * an owner on a store without a push channel learns of gifts at its auto-save. A storm outruns
     * the owner for moments at a time (it takes updates in by whole batches, a few round trips
     * each); such a send is delayed, not failed. A full inbox without an owner fails at once.
     */
    static final Duration FULL_WAIT = Duration.ofSeconds(10);
    /** The first pause before a full inbox is tried again; it doubles up to {@link #FULL_PAUSE_MAX}. */
    static final Duration FULL_PAUSE = Duration.ofMillis(5);

    static final Duration FULL_PAUSE_MAX = Duration.ofMillis(200);

    private final Engine engine;
    /** Per {@code store NUL key}: sends of adds waiting for the one at the store. */
    private final ConcurrentHashMap<String, AddQueue> queues = new ConcurrentHashMap<>();

    GiftSender(Engine engine) {
        this.engine = engine;
    }

    /** Sends {@code handler}'s changes to {@code store/key}. */
    CompletableFuture<Optional<GlobalUpdates>> send(String store, String key, Consumer<GlobalUpdates> handler) {
        CompletableFuture<Optional<GlobalUpdates>> result = new CompletableFuture<>();
        engine.io.execute(() -> run(store, key, handler, null, List.of(), 1, result));
        return engine.track(result); // close() waits for it (a send waiting on a full inbox gives up then)
    }

    /** One run of the handler, on {@code state} (null: not read yet). */
    private void run(
            String store,
            String key,
            Consumer<GlobalUpdates> handler,
            Codec.Inbox state,
            List<GlobalUpdate> locked,
            int attempt,
            CompletableFuture<Optional<GlobalUpdates>> result) {
        UpdatesView view = UpdatesView.handler(engine.codec, state, locked, engine::newId);
        try {
            handler.accept(view);
        } catch (UpdatesView.NeedsState e) {
            // the view noted it; see below
        } catch (RuntimeException e) {
            if (!view.neededState()) {
                result.completeExceptionally(e);
                return;
            }
        } finally {
            view.close();
        }
        if (view.neededState()) {
            readThenRun(store, key, handler, attempt, result);
            return;
        }
        List<UpdateOp> ops = view.ops();
        String tooLarge = tooLarge(ops);
        if (tooLarge != null) {
            result.completeExceptionally(new IllegalArgumentException(
                    "global update data for " + store + "/" + key + " is " + tooLarge + "; nothing was sent"));
            return;
        }
        if (ops.isEmpty()) {
            result.complete(Optional.of(view.result(List.of())));
            return;
        }
        if (view.onlyAdds()) {
            addsQueue(store, key).submit(ops).whenComplete((ids, e) -> {
                if (e != null) {
                    result.completeExceptionally(Engine.unwrap(e));
                } else {
                    result.complete(Optional.of(view.result(ids)));
                }
            });
            return;
        }
        write(store, key, ops).whenComplete((r, e) -> {
            if (e != null) {
                result.completeExceptionally(Engine.unwrap(e));
            } else if (r.status() == SendResult.Status.CONFLICT) {
                if (attempt >= CONFLICT_ATTEMPTS) {
                    result.completeExceptionally(new ProfileServiceException("global update of " + store + "/" + key
                            + " kept conflicting with the owner or other senders of the same updates after " + attempt
                            + " attempts"));
                } else {
                    readThenRun(store, key, handler, attempt + 1, result);
                }
            } else if (r.status() == SendResult.Status.FULL) {
                result.completeExceptionally(full(store, key));
            } else {
                result.complete(Optional.of(view.result(r.addedIds())));
            }
        });
    }

    private void readThenRun(
            String store,
            String key,
            Consumer<GlobalUpdates> handler,
            int attempt,
            CompletableFuture<Optional<GlobalUpdates>> result) {
        engine.call(
                        "global update read of " + store + "/" + key,
                        () -> engine.backend.read(store, key),
                        Engine.CALL_ATTEMPTS)
                .whenComplete((record, e) -> {
                    if (e != null) {
                        result.completeExceptionally(Engine.unwrap(e));
                        return;
                    }
                    List<GlobalUpdate> locked;
                    try {
                        locked = engine.codec.lockedUpdates(record.payload());
                    } catch (Codec.CorruptException ce) {
                        locked = List.of(); // the owner sets a corrupt payload aside at its next load
                    }
                    run(store, key, handler, engine.codec.decodeInbox(record), locked, attempt, result);
                });
    }

    /** Why one of {@code ops} is too large to send (over {@code maxDataBytes}), or null. */
    private String tooLarge(List<UpdateOp> ops) {
        int max = engine.settings().maxDataBytes();
        for (UpdateOp op : ops) {
            byte[] data = op instanceof UpdateOp.Add a ? a.data() : op instanceof UpdateOp.Change c ? c.data() : null;
            if (data != null && data.length > max) {
                return data.length + " bytes encoded, over the limit of " + max
                        + " (ProfileService.Builder.maxDataBytes)";
            }
        }
        return null;
    }

    /** One send at the store; the owner is told that updates arrived. */
    private CompletableFuture<SendResult> write(String store, String key, List<UpdateOp> ops) {
        int max = engine.settings().maxPendingUpdates();
        return engine.call(
                        "global update of " + store + "/" + key,
                        () -> engine.backend.sendUpdates(store, key, ops, max),
                        Engine.CALL_ATTEMPTS)
                .thenApply(r -> {
                    if (r.status() == SendResult.Status.APPLIED && r.owner() != null) {
                        engine.handOver.send(r.owner().serverId(), Message.Kind.NEW_UPDATE, store, key);
                    }
                    if (engine.observe.on && r.status() == SendResult.Status.APPLIED) {
                        engine.observe.giftsSent(store, (int) ops.stream()
                                .filter(UpdateOp.Add.class::isInstance)
                                .count());
                    }
                    return r;
                });
    }

    private IllegalStateException full(String store, String key) {
        return new IllegalStateException(
                "profile " + store + "/" + key + " holds " + engine.settings().maxPendingUpdates()
                        + " Active global updates, the most it may (ProfileService.Builder.maxPendingUpdates); nothing was sent");
    }

    private AddQueue addsQueue(String store, String key) {
        return queues.computeIfAbsent(Engine.slot(store, key), s -> new AddQueue(store, key));
    }

    /** The sends of adds to one key: one at the store at a time, the ones that wait go together next. */
    private final class AddQueue {
        private final String store;
        private final String key;
        private final Deque<Waiting> waiting = new ArrayDeque<>();
        /** The most sends the next group takes: {@link #MAX_GROUP}, less while the inbox is full. */
        private int groupLimit = MAX_GROUP;

        private boolean atStore;

        AddQueue(String store, String key) {
            this.store = store;
            this.key = key;
        }

        private record Waiting(List<UpdateOp> adds, CompletableFuture<List<Long>> ids) {}

        /** When the group at the store first found the inbox full (the service clock's millis), or -1. */
        private long fullSince = -1;

        private Duration fullPause = FULL_PAUSE;

        CompletableFuture<List<Long>> submit(List<UpdateOp> adds) {
            Waiting w = new Waiting(adds, new CompletableFuture<>());
            List<Waiting> group;
            synchronized (this) {
                waiting.add(w);
                if (atStore) {
                    return w.ids();
                }
                atStore = true;
                group = takeGroup();
            }
            sendGroup(group);
            return w.ids();
        }

        /** Caller holds the monitor. */
        private List<Waiting> takeGroup() {
            List<Waiting> group = new ArrayList<>();
            while (!waiting.isEmpty() && group.size() < groupLimit) {
                group.add(waiting.poll());
            }
            return group;
        }

        private void sendGroup(List<Waiting> group) {
            List<UpdateOp> ops = new ArrayList<>();
            group.forEach(w -> ops.addAll(w.adds()));
            write(store, key, ops).whenComplete((r, e) -> {
                if (e != null) {
                    group.forEach(w -> w.ids().completeExceptionally(e));
                } else if (r.status() == SendResult.Status.APPLIED) {
                    fullSince = -1;
                    fullPause = FULL_PAUSE;
                    synchronized (this) {
                        groupLimit = Math.min(MAX_GROUP, groupLimit * 2);
                    }
                    int at = 0;
                    for (Waiting w : group) {
                        w.ids().complete(r.addedIds().subList(at, at + w.adds().size()));
                        at += w.adds().size();
                    }
                } else if (r.owner() != null && waitForOwner()) {
                    // full, but its owner is taking updates in: try again in a moment, with a smaller
                    // group (a group larger than the room left would never fit)
                    synchronized (this) {
                        for (int i = group.size() - 1; i >= 0; i--) {
                            waiting.addFirst(group.get(i));
                        }
                        groupLimit = Math.max(1, group.size() / 2);
                    }
                    engine.after(fullPause, this::next);
                    fullPause = fullPause.multipliedBy(2).compareTo(FULL_PAUSE_MAX) > 0
                            ? FULL_PAUSE_MAX
                            : fullPause.multipliedBy(2);
                    return;
                } else {
                    fullSince = -1; // the next group gets a wait of its own
                    fullPause = FULL_PAUSE;
                    if (group.size() > 1) {
                        group.forEach(this::sendAlone); // each send gets its own answer
                    } else {
                        group.get(0).ids().completeExceptionally(full(store, key));
                    }
                }
                next();
            });
        }

        /**
         * Whether a group that found the inbox full may still wait for the owner ({@link #FULL_WAIT});
         * never once the service is closing.
         */
        private boolean waitForOwner() {
            if (engine.isLocked()) {
                return false;
            }
            long now = engine.now();
            if (fullSince < 0) {
                fullSince = now;
            }
            long wait = Math.max(
                    FULL_WAIT.toMillis(), 2 * engine.settings().autoSavePeriod().toMillis());
            return now - fullSince < wait;
        }

        private void sendAlone(Waiting w) {
            write(store, key, w.adds()).whenComplete((r, e) -> {
                if (e != null) {
                    w.ids().completeExceptionally(e);
                } else if (r.status() == SendResult.Status.APPLIED) {
                    w.ids().complete(r.addedIds());
                } else {
                    w.ids().completeExceptionally(full(store, key));
                }
            });
        }

        private void next() {
            List<Waiting> group;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    atStore = false;
                    queues.remove(Engine.slot(store, key), this);
                    return;
                }
                group = takeGroup();
            }
            sendGroup(group);
        }
    }
}
