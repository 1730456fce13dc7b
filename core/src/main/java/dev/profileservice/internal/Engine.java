package dev.profileservice.internal;

import dev.profileservice.DataModel;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileServiceException;
import dev.profileservice.ProfileServiceObserver;
import dev.profileservice.ProfileServiceSettings;
import dev.profileservice.ProfileStore;
import dev.profileservice.Signal;
import dev.profileservice.internal.memory.MemoryBackendProvider;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session/save/global-update engine behind one {@code ProfileService}. Not API.
 *
 * <p>Threads: store calls run on {@link #io}; saves go through {@link #saver}, whose flushers run
 * on {@link #io} and write several profiles per round trip; timers (one {@link #wheel} for every
 * profile's auto-save, the heartbeat, retries) on {@link #scheduler}, and their bodies only queue
 * work for {@link #io}, so a virtual-time scheduler in tests never runs store calls on the test
 * thread; user listeners on {@link SerialExecutor}s over the listener executor.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** How many times a load, a read or a gift's store call is tried before it fails. */
    static final int CALL_ATTEMPTS = 8;
    /** Upper bound of I/O threads: store calls block, so the pool bounds concurrent calls; tasks never wait on each other. */
    static final int MAX_IO_THREADS = 256;

    final ProfileServiceSettings config;
    /** The store, wrapped so that every call's outcome reaches {@link #recovery}. */
    final Backend backend;
    /** Notices the store's return after failures and wakes the retries waiting for it. */
    final StoreRecovery recovery;
    /** The builder's observer, guarded; {@link Observation#OFF} when none was given. */
    final Observation observe;

    final Codec codec = new Codec();
    final Reconciler reconciler = codec.reconciler();
    final Owner me;
    final ScheduledExecutorService scheduler;
    /** Where store calls run: the service's own pool, or the executor the builder was given. */
    final Executor io;
    /** The pool this engine made for {@link #io} and shuts down on close; null when one was given. */
    private final ExecutorService ownIo;
    /** Group commit of saves (see {@link SaveBatcher}). */
    final SaveBatcher saver;
    /** The one auto-save timer of all profiles (see {@link AutoSaveWheel}). */
    final AutoSaveWheel wheel;

    final Executor listenerBase;
    private final boolean ownScheduler;
    private final ExecutorService ownListenerExecutor;
    private final Optional<MessageBus> bus;
    /** Asks owners to let go and answers such asks (see {@link HandOver}). */
    final HandOver handOver;
    /** Sends global updates, sharing round trips between sends to one key (see {@link GiftSender}). */
    final GiftSender gifts = new GiftSender(this);

    private final SerialExecutor signalExecutor;
    private final Listeners<Consumer<String>> issueSignal;
    private final Listeners<BiConsumer<String, String>> corruptionSignal;
    private final Listeners<Consumer<Boolean>> criticalSignal;
    private final CriticalState critical;

    /** store name + NUL + key: the local session slot (a load marker or an {@link ActiveProfile}). */
    final ConcurrentHashMap<String, Object> slots = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, StoreImpl<?>> stores = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean locked;
    /** The service behind the stores' {@code mock()}, made at the first call; guarded by {@code this}. */
    private ProfileService mock;

    private volatile ScheduledFuture<?> heartbeatTask;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private Engine(ProfileServiceSettings config, Backend store) {
        this.config = config;
        this.me = new Owner(newId(), config.placeId(), config.jobId());
        this.observe =
                config.observer().map(o -> new Observation(o, config.clock())).orElse(Observation.OFF);
        this.ownScheduler = config.scheduler().isEmpty();
        if (ownScheduler) {
            ScheduledThreadPoolExecutor timer =
                    new ScheduledThreadPoolExecutor(1, daemon("profileservice-timer"), Engine::dropAfterClose);
            timer.setRemoveOnCancelPolicy(true); // cancelled waits (a hand-over answered early) leave the queue at once
            this.scheduler = timer;
        } else {
            this.scheduler = config.scheduler().orElseThrow();
        }
        this.recovery = new StoreRecovery(scheduler, config.clock(), this::probe, this::storeBack);
        this.backend = new ObservedBackend(store, recovery);
        // as many threads as the backend serves calls at once (its pool size): more would only queue for connections
        int ioThreads = Math.max(2, Math.min(MAX_IO_THREADS, backend.maxConcurrentCalls()));
        if (config.storeExecutor().isEmpty()) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(
                    ioThreads,
                    ioThreads,
                    30,
                    TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(),
                    daemon("profileservice-io"),
                    Engine::dropAfterClose);
            pool.allowCoreThreadTimeOut(true);
            this.ownIo = pool;
            this.io = pool;
        } else {
            this.ownIo = null;
            this.io = config.storeExecutor().orElseThrow();
        }
        this.saver = new SaveBatcher(backend, io, ioThreads, observe);
        this.wheel = new AutoSaveWheel(scheduler, saver, config.autoSavePeriod().toMillis());
        if (config.listenerExecutor().isEmpty()) {
            this.ownListenerExecutor = Executors.newSingleThreadExecutor(daemon("profileservice-listener"));
            this.listenerBase = ownListenerExecutor;
        } else {
            this.ownListenerExecutor = null;
            this.listenerBase = config.listenerExecutor().orElseThrow();
        }
        this.signalExecutor = new SerialExecutor(listenerBase);
        this.issueSignal = new Listeners<>(signalExecutor);
        this.corruptionSignal = new Listeners<>(signalExecutor);
        this.criticalSignal = new Listeners<>(signalExecutor);
        this.critical = new CriticalState(config, scheduler, state -> criticalSignal.fire(l -> l.accept(state)));
        Optional<MessageBus> b;
        try {
            b = backend.messageBus();
        } catch (RuntimeException e) {
            LOG.warn("message bus of {} unavailable, using polling: {}", backend.describe(), e.toString());
            b = Optional.empty();
        }
        this.bus = b;
        this.handOver = new HandOver(this, b);
    }

    /** Opens the backend, subscribes to messages, writes the first heartbeat. */
    public static Engine start(ProfileServiceSettings config) {
        Backend backend = config.backend().orElse(null);
        if (backend == null) {
            String uri = config.backendUri().orElseThrow();
            try {
                backend = "memory".equals(dev.profileservice.spi.BackendUris.scheme(uri))
                        ? MemoryBackendProvider.open(uri, config.clock()) // leases in the service's (virtual) time
                        : Backends.open(uri);
            } catch (BackendException e) {
                throw new ProfileServiceException(
                        "cannot open store " + dev.profileservice.spi.BackendUris.mask(uri) + ": " + e.getMessage(), e);
            }
        }
        Engine engine = new Engine(config, backend);
        try {
            engine.handOver.subscribe();
            engine.backend.heartbeat(engine.me, config.lease());
        } catch (RuntimeException e) {
            engine.shutdownResources();
            throw new ProfileServiceException("cannot reach store " + backend.describe() + ": " + e.getMessage(), e);
        }
        long every = Math.max(1, config.lease().toMillis() / 3);
        engine.heartbeatTask = engine.scheduler.scheduleAtFixedRate(
                () -> engine.io.execute(engine::heartbeat), every, every, TimeUnit.MILLISECONDS);
        engine.observe.started(new State(engine));
        return engine;
    }

    /** Work handed to an executor after close() shut it down is dropped: nothing is active any more. */
    private static void dropAfterClose(Runnable task, ThreadPoolExecutor executor) {
        LOG.debug("service closed; dropped {}", task);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * A fresh random id (this server's id, a global update's token): from the builder's random
     * source when one was given (the simulation replays a seed exactly), else a random UUID.
     */
    String newId() {
        java.util.Optional<java.util.random.RandomGenerator> random = config.random();
        return random.isEmpty()
                ? UUID.randomUUID().toString()
                : new UUID(random.get().nextLong(), random.get().nextLong()).toString();
    }

    public ProfileServiceSettings settings() {
        return config;
    }

    @SuppressWarnings("unchecked")
    public <T> ProfileStore<T> store(String name, T template, DataModel<T> model) {
        Names.storeName(name);
        if (template == null) {
            throw new IllegalArgumentException("profile template of store '" + name + "' must not be null");
        }
        java.util.Objects.requireNonNull(model, "model");
        StoreImpl<T> created = new StoreImpl<>(this, name, template, model);
        StoreImpl<?> existing = stores.putIfAbsent(name, created);
        if (existing == null) {
            observe.storeOpened(name);
            return created;
        }
        if (!existing.dataType().equals(created.dataType())) {
            throw new IllegalArgumentException("profile store '" + name + "' is already open with data type "
                    + existing.dataType().toCanonical() + ", not "
                    + created.dataType().toCanonical());
        }
        if (existing.model.version() != model.version()) {
            throw new IllegalStateException("profile store '" + name + "' is already open with data version "
                    + existing.model.version() + ", not " + model.version() + "; one service has one model per store");
        }
        return (ProfileStore<T>) existing;
    }

    public boolean isLocked() {
        return locked;
    }

    public Signal<Consumer<String>> issueSignal() {
        return issueSignal;
    }

    public Signal<BiConsumer<String, String>> corruptionSignal() {
        return corruptionSignal;
    }

    public Signal<Consumer<Boolean>> criticalStateSignal() {
        return criticalSignal;
    }

    // ---------------------------------------------------------------- store calls

    long now() {
        return config.clock().millis();
    }

    private void heartbeat() {
        if (closed.isDone()) {
            return;
        }
        try {
            backend.heartbeat(me, config.lease());
        } catch (RuntimeException e) {
            issue("heartbeat to " + backend.describe() + " failed: " + e.getMessage());
        }
    }

    /** The probe of {@link StoreRecovery}: one cheap read (this server's heartbeat row) on an I/O thread. */
    private void probe() {
        io.execute(() -> {
            try {
                backend.server(me.serverId());
            } catch (RuntimeException e) {
                recovery.failed(); // keeps probing, whatever kind of failure it was
            }
        });
    }

    /**
     * The store answered again after failures: renew this server's lease at once (the outage may
     * have eaten most of it), and tell the issue signal what resumed. Not counted as an issue.
     */
    private void storeBack(String message) {
        io.execute(this::heartbeat);
        LOG.info("ProfileService: {} on {}", message, backend.describe());
        issueSignal.fire(l -> l.accept(message + " (" + backend.describe() + ")"));
    }

    /** Reports an issue: log, issue signal, critical-state bookkeeping. */
    void issue(String message) {
        LOG.warn("ProfileService issue: {}", message);
        issueSignal.fire(l -> l.accept(message));
        critical.record();
        observe.issue();
    }

    void corruption(String store, String key, String reason) {
        LOG.error(
                "ProfileService: record {}/{} is corrupt ({}); original bytes kept in quarantine", store, key, reason);
        corruptionSignal.fire(l -> l.accept(store, key));
        observe.corruption(store);
    }

    Duration backoff(int attempt) {
        long ms = 100L << Math.min(20, attempt - 1);
        return Duration.ofMillis(Math.min(ms, config.retryBackoffMax().toMillis()));
    }

    /**
     * Runs {@code op} on the I/O pool; a {@link BackendException} is reported as an issue and, if
     * transient and attempts remain, retried after a backoff on the scheduler. The future fails
     * with {@link ProfileServiceException} when attempts run out.
     */
    <R> CompletableFuture<R> call(String what, Supplier<R> op, int maxAttempts) {
        CompletableFuture<R> result = new CompletableFuture<>();
        attempt(what, op, 1, maxAttempts, result, false);
        return result;
    }

    /**
     * @param wokenEarly whether {@link #recovery} ran this attempt before its backoff was over; if
     *                   it fails too, the next one waits its backoff in full (see {@link StoreRecovery})
     */
    private <R> void attempt(
            String what, Supplier<R> op, int n, int max, CompletableFuture<R> result, boolean wokenEarly) {
        io.execute(() -> {
            try {
                result.complete(op.get());
            } catch (BackendException e) {
                boolean retry = e.isTransient() && n < max;
                issue(what + " failed on " + backend.describe() + " (attempt " + n + "): " + e.getMessage());
                if (retry && !wokenEarly) {
                    recovery.retryAfter(
                            backoff(n),
                            StoreRecovery.Kind.OTHER,
                            early -> attempt(what, op, n + 1, max, result, early));
                } else if (retry) {
                    after(backoff(n), () -> attempt(what, op, n + 1, max, result, false));
                } else {
                    result.completeExceptionally(new ProfileServiceException(
                            what + " failed after " + n + " attempt(s) on " + backend.describe() + ": "
                                    + e.getMessage(),
                            e));
                }
            } catch (RuntimeException e) {
                issue(what + " failed on " + backend.describe() + ": " + e);
                result.completeExceptionally(e);
            }
        });
    }

    /** Runs {@code task} on the I/O pool after {@code delay} (timed by the scheduler). */
    void after(Duration delay, Runnable task) {
        try {
            scheduler.schedule(() -> io.execute(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("scheduler rejected a timer (service closed?); dropped", e);
        }
    }

    /** The local slot of a profile: store name + NUL + key (names hold no NUL). */
    static String slot(String store, String key) {
        return store + '\u0000' + key;
    }

    /** Registers a load in flight so {@link #close()} waits for it. */
    <R> CompletableFuture<R> track(CompletableFuture<R> f) {
        inFlight.add(f);
        f.whenComplete((v, e) -> inFlight.remove(f));
        return f;
    }

    /**
     * The service behind every store's {@code mock()}: this service's settings on a detached
     * in-memory store of its own (isolated from the real store and from other services' mocks),
     * sharing an injected scheduler and listener executor; closed with this one.
     *
     * @throws IllegalStateException once this service is closed
     */
    synchronized ProfileService mockService() {
        if (locked) {
            throw new IllegalStateException("mock() called on a closed ProfileService");
        }
        if (mock == null) {
            ProfileServiceSettings s = settings();
            ProfileService.Builder b = ProfileService.builder()
                    .backend(new dev.profileservice.internal.memory.MemoryBackend(config.clock()))
                    .placeId(s.placeId())
                    .jobId(s.jobId())
                    .autoSavePeriod(s.autoSavePeriod())
                    .lease(s.lease())
                    .forceLoadTimeout(s.forceLoadTimeout())
                    .pollInterval(s.pollInterval())
                    .maxDataBytes(s.maxDataBytes())
                    .maxPendingUpdates(s.maxPendingUpdates())
                    .retryBackoffMax(s.retryBackoffMax())
                    .reconcileOnLoad(s.reconcileOnLoad())
                    .clock(config.clock());
            if (!ownScheduler) {
                b.scheduler(scheduler);
            }
            config.listenerExecutor().ifPresent(b::listenerExecutor);
            config.storeExecutor().ifPresent(b::storeExecutor);
            mock = b.build();
        }
        return mock;
    }

    // ---------------------------------------------------------------- close

    public void close() {
        boolean first;
        synchronized (this) {
            first = !locked;
            locked = true;
        }
        if (!first) {
            join(closed);
            return;
        }
        try {
            for (CompletableFuture<?> f : new ArrayList<>(inFlight)) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException ignored) {
                    // a failed load holds nothing
                }
            }
            List<CompletableFuture<Void>> releases = new ArrayList<>();
            for (Map.Entry<String, Object> e : slots.entrySet()) {
                if (e.getValue() instanceof ActiveProfile<?> p) {
                    releases.add(p.releaseAsync());
                }
            }
            CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new))
                    .exceptionally(e -> null)
                    .join();
            ProfileService mockToClose;
            synchronized (this) {
                mockToClose = mock;
            }
            if (mockToClose != null) {
                mockToClose.close(); // before the scheduler it may share goes
            }
            ScheduledFuture<?> hb = heartbeatTask;
            if (hb != null) {
                hb.cancel(false);
            }
            try {
                backend.removeServer(me.serverId());
            } catch (RuntimeException e) {
                LOG.warn("could not remove heartbeat row of {}: {}", me.serverId(), e.toString());
            }
        } finally {
            shutdownResources();
            closed.complete(null);
            observe.closed();
        }
    }

    private void shutdownResources() {
        bus.ifPresent(b -> {
            try {
                b.close();
            } catch (RuntimeException e) {
                LOG.debug("closing bus: {}", e.toString());
            }
        });
        try {
            backend.close();
        } catch (RuntimeException e) {
            LOG.warn("closing {}: {}", backend.describe(), e.toString());
        }
        critical.stop();
        wheel.stop();
        if (ownIo != null) {
            ownIo.shutdown();
        }
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
        if (ownListenerExecutor != null) {
            ownListenerExecutor.shutdown();
        }
    }

    /** The live figures an observer's gauges read (see {@link ProfileServiceObserver.ServiceState}). */
    private static final class State implements ProfileServiceObserver.ServiceState {
        private final Engine engine;
        private final String kind;

        State(Engine engine) {
            this.engine = engine;
            this.kind = Observation.backendKind(engine.backend.describe());
        }

        @Override
        public String backendKind() {
            return kind;
        }

        @Override
        public boolean isCritical() {
            return !engine.closed.isDone() && engine.critical.isCritical();
        }

        /** One pass over the local slots: gauges are read at scrape time, not on the save path. */
        @Override
        public int activeProfiles(String store) {
            String prefix = store + '\u0000';
            int n = 0;
            for (Map.Entry<String, Object> e : engine.slots.entrySet()) {
                if (e.getValue() instanceof ActiveProfile<?> && e.getKey().startsWith(prefix)) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public int savesQueued() {
            return engine.saver.queued();
        }

        @Override
        public int savesInFlight() {
            return engine.saver.inFlight();
        }
    }

    /** The cause of a {@link CompletionException}, or {@code e} itself. */
    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** Joins a future, rethrowing its cause unwrapped. */
    static <R> R join(CompletableFuture<R> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new ProfileServiceException(String.valueOf(cause), cause);
        }
    }
}
