package dev.profileservice;

import dev.profileservice.internal.Engine;
import dev.profileservice.internal.EngineConfig;
import dev.profileservice.spi.Backend;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One per game-server process: owns the connection to the store, the heartbeat that keeps this
 * server's sessions alive, the auto-save schedule and the signals.
 *
 * <pre>{@code
 * try (ProfileService service = ProfileService.builder()
 *         .backend("sqlite:profiles.db")
 *         .placeId("lobby")
 *         .build()) {
 *     ProfileStore<PlayerData> store = service.getProfileStore("PlayerData", new PlayerData());
 *     Profile<PlayerData> profile = store.loadProfile("Player_2312310").orElseThrow();
 *     profile.edit(data -> data.coins += 10);
 *     profile.release();
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>Store calls run on an internal I/O pool (daemon threads named {@code profileservice-io-N}),
 *       as many threads as the store serves calls at once (its connection pool size). Saves that
 *       are due together (auto-save, {@code save()}, gifts, releases) are written together: up to
 *       the store's batch size per round trip, one batch per I/O thread at a time, and a quarter
 *       of the threads are kept for loads and reads.</li>
 *   <li>Timers (one auto-save timer for all profiles, the heartbeat, retries, waits) run on the
 *       scheduler: an internal single thread by default, or the one given to
 *       {@link Builder#scheduler}. Timer tasks only queue work for the I/O pool.</li>
 *   <li>Every user listener (signals, release, global updates) runs on the listener executor
 *       ({@link Builder#listenerExecutor}; default: an internal single thread), never two listeners
 *       of one profile at once, in the order their events happened.</li>
 * </ul>
 */
public final class ProfileService implements AutoCloseable {

    private final Engine engine;

    private ProfileService(Engine engine) {
        this.engine = engine;
    }

    /** A builder with the defaults described on each setter. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The store named {@code name} with {@code template} as the data of new profiles (deep-copied;
     * later changes to {@code template} do not affect the store). The data type is the template's
     * class, or {@code LinkedHashMap} for a map template. Calling it twice with one name returns
     * stores that share their loaded profiles.
     *
     * @throws IllegalArgumentException if the name does not match {@code [A-Za-z0-9_.-]{1,50}} or the
     *                                  template is null or cannot be encoded
     */
    public <T> ProfileStore<T> getProfileStore(String name, T template) {
        return engine.store(name, template);
    }

    /** The seed's {@code ServiceLocked}: true once {@link #close()} has begun. Store calls then return empty. */
    public boolean isServiceLocked() {
        return engine.isLocked();
    }

    /** Store errors worth logging to analytics, one message each: the seed's {@code IssueSignal}. */
    public Signal<Consumer<String>> issueSignal() {
        return engine.issueSignal();
    }

    /** {@code (storeName, key)} of a record that could not be decoded and was set aside: the seed's {@code CorruptionSignal}. */
    public Signal<BiConsumer<String, String>> corruptionSignal() {
        return engine.corruptionSignal();
    }

    /** True when issues pile up (see {@link Builder#criticalState}), false when they have stopped: the seed's {@code CriticalStateSignal}. */
    public Signal<Consumer<Boolean>> criticalStateSignal() {
        return engine.criticalStateSignal();
    }

    /** This server's place id. */
    public String getPlaceId() {
        return engine.config().placeId();
    }

    /** This server's job id. */
    public String getJobId() {
        return engine.config().jobId();
    }

    /**
     * The BindToClose step: locks the service (new loads return empty), releases every active
     * profile with a final save, waits until every write is durable, stops the heartbeat and
     * closes the backend if the service opened it. Idempotent; a second call waits like the first.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Immutable settings for a {@link ProfileService}; see each setter for its default. */
    public static final class Builder {
        private String backendUri = "memory:";
        private Backend backend;
        private String placeId = "default";
        private String jobId;
        private Duration autoSavePeriod = Duration.ofSeconds(30);
        private Duration lease = Duration.ofSeconds(30);
        private Duration forceLoadTimeout = Duration.ofSeconds(10);
        private Duration pollInterval = Duration.ofSeconds(1);
        private int criticalIssueCount = 5;
        private Duration criticalWindow = Duration.ofSeconds(120);
        private Duration criticalCooldown = Duration.ofSeconds(120);
        private int maxDataBytes = 4 * 1024 * 1024;
        private Duration retryBackoffMax = Duration.ofSeconds(8);
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private Executor listenerExecutor;
        private boolean shutdownHook;

        private Builder() {
        }

        /**
         * The store, as a URI: {@code memory:}, {@code sqlite:PATH}, {@code postgresql://...},
         * {@code mariadb://...}, {@code mysql://...}, {@code redis://...}. Default {@code memory:}.
         * Resolved at {@link #build()}; an unknown scheme or unreachable store fails there with a
         * message naming the URI (password masked).
         */
        public Builder backend(String uri) {
            this.backendUri = Objects.requireNonNull(uri, "backend uri");
            this.backend = null;
            return this;
        }

        /** A backend object made by the caller (own pool, credentials). The service closes it on {@link #close()}. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            this.backendUri = null;
            return this;
        }

        /** The seed's {@code place_id}: which game/place this server runs. Default {@code "default"}. */
        public Builder placeId(String placeId) {
            this.placeId = requireText(placeId, "placeId");
            return this;
        }

        /** The seed's {@code game_job_id}, unique per process. Default: a random UUID. */
        public Builder jobId(String jobId) {
            this.jobId = requireText(jobId, "jobId");
            return this;
        }

        /** How often each active profile is saved (spread evenly over the period). Default 30 s. */
        public Builder autoSavePeriod(Duration period) {
            this.autoSavePeriod = positive(period, "autoSavePeriod");
            return this;
        }

        /**
         * How long this server's sessions stay valid without a heartbeat. The heartbeat runs every
         * third of it; other servers may take a dead server's profiles after the lease plus one
         * second. Both are measured by the store's clock (see
         * {@link dev.profileservice.spi.LeaseClock}), so servers whose clocks disagree still agree on
         * who is alive. Default 30 s.
         */
        public Builder lease(Duration lease) {
            this.lease = positive(lease, "lease");
            return this;
        }

        /** How long FORCE_LOAD waits for a live owner to release before stealing. Default 10 s. */
        public Builder forceLoadTimeout(Duration timeout) {
            this.forceLoadTimeout = positive(timeout, "forceLoadTimeout");
            return this;
        }

        /** How often waits look at the store again when no message arrives. Default 1 s. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "pollInterval");
            return this;
        }

        /**
         * The critical state: entered when {@code issues} issues happen within {@code window}, left
         * when none happened for {@code cooldown}. Default 5 within 120 s, cleared after 120 s.
         */
        public Builder criticalState(int issues, Duration window, Duration cooldown) {
            if (issues < 1) {
                throw new IllegalArgumentException("criticalState issues must be at least 1, was " + issues);
            }
            this.criticalIssueCount = issues;
            this.criticalWindow = positive(window, "criticalState window");
            this.criticalCooldown = positive(cooldown, "criticalState cooldown");
            return this;
        }

        /** The largest encoded profile (data, tags, locked updates) accepted, in bytes. Default 4 MB. */
        public Builder maxDataBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxDataBytes must be at least 1024, was " + bytes);
            }
            this.maxDataBytes = bytes;
            return this;
        }

        /** The longest wait between retries of a failing store call (backoff doubles from 100 ms up to it). Default 8 s. */
        public Builder retryBackoffMax(Duration max) {
            this.retryBackoffMax = positive(max, "retryBackoffMax");
            return this;
        }

        /**
         * The clock for this server's own waits (force-load timeout, critical state) and metadata
         * times. Leases are judged by the store's clock, not this one, except on {@code memory:},
         * whose store judges them by the clock of the service that opened it, so tests can run
         * leases in virtual time. Default: the UTC system clock.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The scheduler for timers. Default: an internal daemon thread, shut down on close. A given one is not shut down. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Where listeners run (the engine serialises them per profile and per signal on top of it).
         * Default: an internal daemon thread. Pass e.g. your game's main-thread executor.
         */
        public Builder listenerExecutor(Executor executor) {
            this.listenerExecutor = Objects.requireNonNull(executor, "listenerExecutor");
            return this;
        }

        /** Also run {@link ProfileService#close()} from a JVM shutdown hook. Default false. */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        /**
         * Opens the backend, starts the heartbeat and returns the service.
         *
         * @throws IllegalArgumentException if the backend URI has an unknown scheme
         * @throws ProfileServiceException  if the store cannot be reached
         */
        public ProfileService build() {
            EngineConfig config = new EngineConfig(backendUri, backend, placeId,
                    jobId != null ? jobId : UUID.randomUUID().toString(), autoSavePeriod, lease,
                    forceLoadTimeout, pollInterval, criticalIssueCount, criticalWindow, criticalCooldown,
                    maxDataBytes, retryBackoffMax, clock, scheduler, listenerExecutor);
            ProfileService service = new ProfileService(Engine.start(config));
            if (shutdownHook) {
                Runtime.getRuntime().addShutdownHook(new Thread(service::close, "profileservice-shutdown"));
            }
            return service;
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be null or blank");
            }
            if (value.length() > 100) {
                throw new IllegalArgumentException(what + " must be at most 100 characters, was " + value.length());
            }
            return value;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be a positive duration, was " + d);
            }
            return d;
        }
    }
}
