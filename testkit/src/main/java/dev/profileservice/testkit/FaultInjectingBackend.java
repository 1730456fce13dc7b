package dev.profileservice.testkit;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.ForwardingBackend;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link Backend} wrapper that fails, blocks and counts chosen calls, for testing retries,
 * issue signals, critical state, recovery and races deterministically.
 *
 * <p>Operations are named after the {@link Backend} method: {@code "read"}, {@code "acquire"},
 * {@code "save"}, {@code "saveBatch"}, {@code "sendUpdates"}, {@code "readUpdates"},
 * {@code "heartbeat"}, {@code "server"}, {@code "removeServer"}, {@code "quarantine"}. The
 * administrative operations ({@link Backend#admin()}) pass through untouched. Every call of one of
 * these, in this order: is counted ({@link #calls}), waits at any {@link #pause pause} of its
 * operation, throws if the store is {@link #failAll down} or a {@link #failNext planned failure}
 * is left, and otherwise goes to the wrapped backend. Injected failures are transient
 * {@link BackendException}s whose message starts with {@code "injected failure"}.
 *
 * <h2>Batches</h2>
 * {@link #maxBatchSize()} is the wrapped backend's, so the engine sends its saves in
 * {@link #saveBatch} calls when the store can batch. Everything set up for {@code "save"} applies
 * to the saves inside a batch as well, so tests written against single saves keep working:
 * <ul>
 *   <li>A batch of {@code n} items counts as one call of {@code "saveBatch"} and {@code n} calls
 *       of {@code "save"}; {@code calls("save")} is therefore the number of saves sent to the store,
 *       alone or batched.</li>
 *   <li>It waits at every pause of {@code "saveBatch"} or {@code "save"} that matches: a pause
 *       without a key matches any batch (any non-empty one, for {@code "save"}), a pause for a key
 *       matches a batch that holds that key. Each matching pause blocks the whole batch once.</li>
 *   <li>It fails as a whole, reaching the store with none of its items (a batch is one store
 *       call, and a failed one leaves every item's outcome unknown), when the store is down, when
 *       a planned failure of {@code "saveBatch"} is left (it uses up one), or when a planned failure
 *       of {@code "save"} is left: then every item uses up one of them, as far as they go, so
 *       {@code failNext("save", k)} makes at least the next {@code k} saves fail however they are
 *       sent, and a batch of one behaves exactly like a single save.</li>
 *   <li>A failed batch adds one to {@code injectedFailures("saveBatch")} and {@code n} to
 *       {@code injectedFailures("save")} (every save in it failed).</li>
 * </ul>
 *
 * <p>{@link #messageBus()} returns the wrapped backend's bus, wrapped so that
 * {@link #disableBus(boolean)} (and {@link #failAll(boolean)}) can silence it: while disabled,
 * {@code messageBus()} returns empty, publishes are dropped and deliveries are not passed on.
 * {@link #describe()}, {@link #maxBatchSize()}, {@link #maxConcurrentCalls()},
 * {@link #setRoundTripListener} and {@link #close()} go straight through (close releases every
 * pause first).
 *
 * <h2>Threads</h2>
 * Thread-safe. Paused calls block the thread that made them (an engine I/O thread) until
 * {@link Pause#release()}; everything else happens on the caller's thread.
 */
public final class FaultInjectingBackend extends ForwardingBackend {

    /**
     * Every operation name this wrapper knows (the engine's, see {@link Backend}), for validation of
     * test input. The administrative operations ({@link Backend#admin()}) pass through untouched.
     */
    public static final Set<String> OPERATIONS = Set.of(
            "read",
            "acquire",
            "save",
            "saveBatch",
            "sendUpdates",
            "readUpdates",
            "heartbeat",
            "server",
            "removeServer",
            "quarantine");

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failNext = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> loseReply = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> injected = new ConcurrentHashMap<>();
    private final List<Pause> pauses = new CopyOnWriteArrayList<>();
    private final List<String> savesSent = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private volatile boolean busDisabled;

    /** Wraps {@code delegate}; nothing is injected until asked. */
    public FaultInjectingBackend(Backend delegate) {
        super(delegate);
    }

    /** The wrapped backend (calls to it bypass every fault). */
    @Override
    public Backend delegate() {
        return super.delegate();
    }

    /**
     * Makes the next {@code times} calls of {@code operation} throw a transient
     * {@link BackendException} without reaching the store. Adds to any failures still planned.
     * Planned failures of {@code "save"} also fail {@link #saveBatch} calls (see the class comment).
     */
    public FaultInjectingBackend failNext(String operation, int times) {
        return plan(failNext, operation, times);
    }

    /**
     * Makes the next {@code times} calls of {@code operation} reach the store and take effect, and
     * then throw a transient {@link BackendException} as if the reply had been lost on the way back
     * (message starting with {@code "injected lost reply"}). The caller cannot tell it from a call
     * that failed before the store: this is how a retry after an unknown outcome is tested. For
     * {@code "save"} each item of a {@link #saveBatch} uses up one, and the whole batch's reply is lost.
     * Counted in {@link #injectedFailures}.
     */
    public FaultInjectingBackend loseNextReply(String operation, int times) {
        return plan(loseReply, operation, times);
    }

    /** Adds {@code times} planned faults of {@code operation} to {@code plans}. */
    private FaultInjectingBackend plan(Map<String, AtomicInteger> plans, String operation, int times) {
        check(operation);
        if (times < 0) {
            throw new IllegalArgumentException("times must be >= 0, was " + times);
        }
        plans.computeIfAbsent(operation, k -> new AtomicInteger()).addAndGet(times);
        return this;
    }

    /** Store down ({@code true}): every call throws a transient {@link BackendException}, and the bus is silent. */
    public FaultInjectingBackend failAll(boolean down) {
        this.down = down;
        return this;
    }

    /** Whether {@link #failAll} is on. */
    public boolean isDown() {
        return down;
    }

    /**
     * Disables ({@code true}) or re-enables the message bus: while disabled {@link #messageBus()}
     * returns empty and a bus obtained earlier drops every publish and delivery silently, so the
     * engine must fall back to polling.
     */
    public FaultInjectingBackend disableBus(boolean disabled) {
        this.busDisabled = disabled;
        return this;
    }

    /**
     * Makes every call of {@code operation} block at entry (after being counted, before any failure
     * check) until the returned handle is {@linkplain Pause#release() released}. A pause of
     * {@code "save"} also holds every {@link #saveBatch} with at least one item.
     */
    public Pause pause(String operation) {
        return addPause(operation, null);
    }

    /**
     * Like {@link #pause(String)}, but only for calls about {@code key} (operations that take a key;
     * a {@link #saveBatch} is about every key in it, for {@code "saveBatch"} and {@code "save"}).
     */
    public Pause pause(String operation, String key) {
        return addPause(operation, Objects.requireNonNull(key, "key"));
    }

    private Pause addPause(String operation, String key) {
        check(operation);
        Pause p = new Pause(operation, key);
        pauses.add(p);
        return p;
    }

    /** Releases every pause (for test teardown). */
    public void releaseAllPauses() {
        for (Pause p : pauses) {
            p.release();
        }
    }

    /** Turns every fault off: no store-down, no planned failures, bus enabled, pauses released. Counters stay. */
    public void heal() {
        down = false;
        busDisabled = false;
        failNext.clear();
        loseReply.clear();
        releaseAllPauses();
    }

    /**
     * How many calls of {@code operation} were made so far (including failed and paused ones). For
     * {@code "save"} this includes every item of every {@link #saveBatch}.
     */
    public int calls(String operation) {
        check(operation);
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }

    /**
     * How many failures were injected into {@code operation} so far (planned and store-down). For
     * {@code "save"} this includes every item of every failed {@link #saveBatch}.
     */
    public int injectedFailures(String operation) {
        check(operation);
        AtomicInteger n = injected.get(operation);
        return n == null ? 0 : n.get();
    }

    /** A snapshot of every non-zero call counter, sorted by operation name. */
    public Map<String, Integer> callCounts() {
        Map<String, Integer> out = new TreeMap<>();
        calls.forEach((k, v) -> {
            if (v.get() != 0) {
                out.put(k, v.get());
            }
        });
        return out;
    }

    /** Resets every call and injected-failure counter to zero (planned failures stay). */
    public void resetCounts() {
        calls.clear();
        injected.clear();
        savesSent.clear();
    }

    /**
     * The keys of the saves that reached the wrapped store (single or in a batch, in batch order),
     * in the order they were sent, since creation or {@link #resetCounts()}; each with
     * {@code " (release)"} appended when it released the session.
     */
    public List<String> savesSent() {
        return List.copyOf(savesSent);
    }

    private void sent(String key, SaveRequest request) {
        savesSent.add(request.release() ? key + " (release)" : key);
    }

    private static void check(String operation) {
        if (!OPERATIONS.contains(operation)) {
            throw new IllegalArgumentException(
                    "unknown backend operation '" + operation + "'; known: " + new TreeSet<>(OPERATIONS));
        }
    }

    private static void add(Map<String, AtomicInteger> counters, String op, int n) {
        counters.computeIfAbsent(op, k -> new AtomicInteger()).addAndGet(n);
    }

    /** Uses up to {@code wanted} of the calls planned in {@code plans} for {@code op}; returns how many were used. */
    private static int take(Map<String, AtomicInteger> plans, String op, int wanted) {
        AtomicInteger planned = plans.get(op);
        if (planned == null || wanted <= 0) {
            return 0;
        }
        int before = planned.getAndUpdate(n -> Math.max(0, n - wanted));
        return Math.min(before, wanted);
    }

    private <R> R call(String op, String key, Supplier<R> body) {
        add(calls, op, 1);
        for (Pause p : pauses) {
            if (p.matches(op, key)) {
                p.block();
            }
        }
        if (down) {
            add(injected, op, 1);
            throw new BackendException(
                    "injected failure of " + op + ": store down (" + delegate().describe() + ")", true);
        }
        if (take(failNext, op, 1) > 0) {
            add(injected, op, 1);
            throw new BackendException(
                    "injected failure of " + op + " (" + delegate().describe() + ")", true);
        }
        R result = body.get();
        if (take(loseReply, op, 1) > 0) {
            add(injected, op, 1);
            throw new BackendException(
                    "injected lost reply of " + op + " (it was applied; "
                            + delegate().describe() + ")",
                    true);
        }
        return result;
    }

    private void run(String op, String key, Runnable body) {
        call(op, key, () -> {
            body.run();
            return null;
        });
    }

    @Override
    public StoredProfile read(String store, String key) {
        return call("read", key, () -> delegate().read(store, key));
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        return call("acquire", key, () -> delegate().acquire(store, key, me, expectedEpoch, initialPayload));
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest request) {
        return call("save", key, () -> {
            sent(key, request);
            return delegate().save(store, key, request);
        });
    }

    /**
     * One call of {@code "saveBatch"} and one call of {@code "save"} per item, with the faults of
     * both operations; see the class comment. Goes to the wrapped backend's {@code saveBatch} (one
     * store call) when nothing fails it.
     */
    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        int n = items.size();
        List<String> keys = new ArrayList<>(n);
        for (SaveItem item : items) {
            keys.add(item.key());
        }
        add(calls, "saveBatch", 1);
        add(calls, "save", n);
        for (Pause p : pauses) {
            if (p.matchesBatch("saveBatch", keys) || (n > 0 && p.matchesBatch("save", keys))) {
                p.block();
            }
        }
        String why = null;
        if (down) {
            why = ": store down";
        } else if (take(failNext, "saveBatch", 1) > 0) {
            why = "";
        } else if (take(failNext, "save", n) > 0) {
            why = " (a planned failure of save)";
        }
        if (why != null) {
            add(injected, "saveBatch", 1);
            add(injected, "save", n);
            throw new BackendException(
                    "injected failure of saveBatch of " + n + " save(s)" + why + " ("
                            + delegate().describe() + ")",
                    true);
        }
        items.forEach(item -> sent(item.key(), item.request()));
        List<SaveResult> results = delegate().saveBatch(items);
        if (take(loseReply, "saveBatch", 1) > 0 || take(loseReply, "save", n) > 0) {
            add(injected, "saveBatch", 1);
            add(injected, "save", n);
            throw new BackendException(
                    "injected lost reply of saveBatch of " + n + " save(s) (they were applied; "
                            + delegate().describe() + ")",
                    true);
        }
        return results;
    }

    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        return call("sendUpdates", key, () -> delegate().sendUpdates(store, key, ops, maxPending));
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        return call("readUpdates", key, () -> delegate().readUpdates(store, key));
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        run("heartbeat", null, () -> delegate().heartbeat(server, lease));
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        return call("server", null, () -> delegate().server(serverId));
    }

    @Override
    public void removeServer(String serverId) {
        run("removeServer", null, () -> delegate().removeServer(serverId));
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        run("quarantine", key, () -> delegate().quarantine(store, key, payload, reason, atMillis));
    }

    @Override
    public Optional<MessageBus> messageBus() {
        if (busDisabled) {
            return Optional.empty();
        }
        return delegate().messageBus().map(SwitchableBus::new);
    }

    /** Releases every pause, then closes the wrapped backend. */
    @Override
    public void close() {
        releaseAllPauses();
        super.close();
    }

    @Override
    public String toString() {
        return "FaultInjectingBackend[" + delegate().describe() + ", calls=" + callCounts() + "]";
    }

    private boolean busSilent() {
        return busDisabled || down;
    }

    /** The wrapped bus: silent while the bus is disabled or the store is down. */
    private final class SwitchableBus implements MessageBus {
        private final MessageBus bus;

        SwitchableBus(MessageBus bus) {
            this.bus = bus;
        }

        @Override
        public void subscribe(String serverId, Consumer<String> handler) {
            bus.subscribe(serverId, message -> {
                if (!busSilent()) {
                    handler.accept(message);
                }
            });
        }

        @Override
        public void publish(String targetServerId, String message) {
            if (!busSilent()) {
                bus.publish(targetServerId, message);
            }
        }

        @Override
        public void close() {
            bus.close();
        }
    }

    /**
     * A gate on one operation (optionally one key): matching calls block at entry until
     * {@link #release()}. Released gates let every later call through.
     */
    public final class Pause implements AutoCloseable {
        private final String operation;
        private final String key;
        private final CountDownLatch released = new CountDownLatch(1);
        private final AtomicInteger blocked = new AtomicInteger();
        private final AtomicInteger arrived = new AtomicInteger();

        private Pause(String operation, String key) {
            this.operation = operation;
            this.key = key;
        }

        boolean matches(String op, String k) {
            return released.getCount() > 0 && operation.equals(op) && (key == null || key.equals(k));
        }

        /** Whether a batch call of {@code op} about {@code keys} stops here. */
        boolean matchesBatch(String op, List<String> keys) {
            return released.getCount() > 0 && operation.equals(op) && (key == null || keys.contains(key));
        }

        void block() {
            blocked.incrementAndGet();
            arrived.incrementAndGet();
            synchronized (this) {
                notifyAll();
            }
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while paused at " + operation, true, e);
            } finally {
                blocked.decrementAndGet();
            }
        }

        /** Calls blocked here right now. */
        public int blockedCalls() {
            return blocked.get();
        }

        /** Calls that have arrived at this gate so far (blocked now or earlier). */
        public int arrivedCalls() {
            return arrived.get();
        }

        /**
         * Waits (real time, up to 30 s) until at least one call is blocked here.
         *
         * @throws AssertionError if none arrives in time
         */
        public void awaitBlocked() {
            awaitBlocked(Duration.ofSeconds(30));
        }

        /**
         * Waits until at least one call is blocked here, or {@code timeout} passes.
         *
         * @throws AssertionError if none arrives in time
         */
        public void awaitBlocked(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (this) {
                while (blocked.get() == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no call of '" + operation + "'"
                                + (key == null ? "" : " for key '" + key + "'") + " blocked at the pause within "
                                + timeout + "; calls so far: " + callCounts());
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError("interrupted while waiting for a blocked call", e);
                    }
                }
            }
        }

        /** Lets every blocked and future call through and removes the gate. Idempotent. */
        public void release() {
            released.countDown();
            pauses.remove(this);
        }

        /** Same as {@link #release()}. */
        @Override
        public void close() {
            release();
        }

        @Override
        public String toString() {
            return "Pause[" + operation + (key == null ? "" : ", key=" + key) + ", blocked=" + blocked.get() + "]";
        }
    }
}
