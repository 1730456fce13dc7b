package dev.profileservice.bench;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.ForwardingBackend;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.RoundTripListener;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A {@link Backend} decorator for the macro benchmark: counts every call by operation (and the
 * writes among them), the round trips the wrapped backend reports through its
 * {@link RoundTripListener}, the saves in flight at once, and the size of the last saved payload.
 * It can also play dead ({@link #kill()}): from then on every call fails as a lost connection and
 * messages to and from this server are dropped, like a process that hung or lost the network,
 * while the service object itself stays open (abandoned, never closed).
 *
 * <p>Batches: a {@link #saveBatch} is one call of {@code "saveBatch"} (one store call, and a write),
 * while the save counters look at its items: {@link #savedOk()} counts each item that came back
 * {@code SAVED}, every item is a save in flight while the batch runs, and {@link #lastPayload()}
 * is the payload of the batch's last saved item. {@link #maxBatchSize()} and
 * {@link #maxConcurrentCalls()} are the wrapped backend's, so the decorator changes neither how the
 * engine batches nor how many I/O threads it runs.
 *
 * <p>Thread-safe: counters are updated on whichever thread the engine calls the backend on.
 */
public final class CountingBackend extends ForwardingBackend {

    private static final List<String> WRITES = List.of(
            "acquire",
            "save",
            "saveBatch",
            "sendUpdates",
            "heartbeat",
            "removeServer",
            "quarantine",
            "forceRelease",
            "delete");

    private final PerOperation calls = new PerOperation();
    private final PerOperation roundTrips = new PerOperation();
    private final LongAdder savedOk = new LongAdder();
    private final LongAdder keptOk = new LongAdder();
    private final AtomicInteger savesInFlight = new AtomicInteger();
    private final AtomicInteger maxSavesInFlight = new AtomicInteger();
    private volatile byte[] lastPayload;
    private volatile boolean dead;
    private volatile RoundTripListener userListener = RoundTripListener.NONE;

    public CountingBackend(Backend delegate) {
        super(delegate);
        delegate.setRoundTripListener(op -> {
            roundTrips.add(op);
            userListener.roundTrip(op);
        });
    }

    /** From now on this backend behaves like an unreachable store, and its server is deaf and mute. */
    public void kill() {
        dead = true;
    }

    /** Undoes {@link #kill()}: the server reaches the store again (and finds out what it missed). */
    public void revive() {
        dead = false;
    }

    private void call(String op) {
        if (dead) {
            throw new BackendException("benchmark: this server is playing dead", true);
        }
        calls.add(op);
    }

    /** Calls of one operation so far (a batch of saves is one call of {@code "saveBatch"}). */
    public long calls(String op) {
        return calls.get(op);
    }

    /** Calls of every write operation (acquire, save, saveBatch, sendUpdates, heartbeat, ...) so far. */
    public long writes() {
        return WRITES.stream().mapToLong(this::calls).sum();
    }

    /** Calls by operation, sorted by name. */
    public Map<String, Long> callsByOperation() {
        return calls.sorted();
    }

    /** Round trips the wrapped backend reported, all operations. */
    public long roundTrips() {
        return roundTrips.total();
    }

    /** Round trips the wrapped backend reported for one operation. */
    public long roundTrips(String op) {
        return roundTrips.get(op);
    }

    /** Saves that returned {@code SAVED}, single ones and items of batches. */
    public long savedOk() {
        return savedOk.sum();
    }

    /** Saves that returned {@code SAVED} and asked the store to keep a version ({@link SaveRequest#keepAs()}). */
    public long keptOk() {
        return keptOk.sum();
    }

    /** The most saves (items of batches included) that were in flight at once (and resets that maximum). */
    public int takeMaxSavesInFlight() {
        return maxSavesInFlight.getAndSet(savesInFlight.get());
    }

    /** The last payload saved (the engine's own bytes; do not modify), or null before the first save. */
    public byte[] lastPayload() {
        return lastPayload;
    }

    private void savesStarted(int n) {
        int now = savesInFlight.addAndGet(n);
        maxSavesInFlight.accumulateAndGet(now, Math::max);
    }

    @Override
    public StoredProfile read(String store, String key) {
        call("read");
        return delegate().read(store, key);
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        call("readUpdates");
        return delegate().readUpdates(store, key);
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        call("acquire");
        return delegate().acquire(store, key, me, expectedEpoch, initialPayload);
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest request) {
        call("save");
        savesStarted(1);
        try {
            SaveResult result = delegate().save(store, key, request);
            if (result.status() == SaveResult.Status.SAVED) {
                savedOk.increment();
                if (request.keepAs() != null) {
                    keptOk.increment();
                }
                lastPayload = request.payload();
            }
            return result;
        } finally {
            savesInFlight.decrementAndGet();
        }
    }

    /** One call of {@code "saveBatch"}; the save counters count its items (see the class comment). */
    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        call("saveBatch");
        int n = items.size();
        savesStarted(n);
        try {
            List<SaveResult> results = delegate().saveBatch(items);
            byte[] last = null;
            int saved = 0;
            int kept = 0;
            for (int i = 0; i < results.size() && i < n; i++) {
                if (results.get(i).status() == SaveResult.Status.SAVED) {
                    saved++;
                    if (items.get(i).request().keepAs() != null) {
                        kept++;
                    }
                    last = items.get(i).request().payload();
                }
            }
            savedOk.add(saved);
            keptOk.add(kept);
            if (last != null) {
                lastPayload = last;
            }
            return results;
        } finally {
            savesInFlight.addAndGet(-n);
        }
    }

    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        call("sendUpdates");
        return delegate().sendUpdates(store, key, ops, maxPending);
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        call("heartbeat");
        delegate().heartbeat(server, lease);
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        call("server");
        return delegate().server(serverId);
    }

    @Override
    public void removeServer(String serverId) {
        call("removeServer");
        delegate().removeServer(serverId);
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        call("quarantine");
        delegate().quarantine(store, key, payload, reason, atMillis);
    }

    @Override
    public Optional<MessageBus> messageBus() {
        return delegate().messageBus().map(bus -> new MessageBus() {
            @Override
            public void subscribe(String serverId, Consumer<String> handler) {
                bus.subscribe(serverId, message -> {
                    if (!dead) {
                        calls.add("message-in");
                        handler.accept(message);
                    }
                });
            }

            @Override
            public void publish(String targetServerId, String message) {
                if (dead) {
                    throw new BackendException("benchmark: this server is playing dead", true);
                }
                calls.add("message-out");
                bus.publish(targetServerId, message);
            }

            @Override
            public void close() {
                bus.close();
            }
        });
    }

    /**
     * Keeps the listener for itself: the wrapped backend reports to this decorator's counter, which
     * passes each round trip on to {@code listener}.
     */
    @Override
    public void setRoundTripListener(RoundTripListener listener) {
        this.userListener = listener == null ? RoundTripListener.NONE : listener;
    }

    /** Counts by operation name; thread-safe. */
    private static final class PerOperation {
        private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

        void add(String op) {
            counts.computeIfAbsent(op, o -> new LongAdder()).increment();
        }

        long get(String op) {
            LongAdder a = counts.get(op);
            return a == null ? 0 : a.sum();
        }

        long total() {
            return counts.values().stream().mapToLong(LongAdder::sum).sum();
        }

        /** The counts by operation, sorted by name. */
        Map<String, Long> sorted() {
            Map<String, Long> out = new TreeMap<>();
            counts.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }
    }
}
