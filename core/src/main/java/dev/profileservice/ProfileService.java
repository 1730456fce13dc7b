package dev.profileservice;

import dev.profileservice.internal.Engine;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendUris;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
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
        return engine.store(name, template, DataModel.none());
    }

    /**
     * The store named {@code name}, as {@link #getProfileStore(String, Object)}, whose data evolves
     * as {@code model} says: its data version, the migrations of older data on load, and a
     * validator (see {@link DataModel}).
     *
     * @throws IllegalArgumentException if the name or template is invalid, or the model lacks a
     *                                  migration step from some version below its own
     * @throws IllegalStateException    if this service has the store open with another data version
     */
    public <T> ProfileStore<T> getProfileStore(String name, T template, DataModel<T> model) {
        return engine.store(name, template, model);
    }

    /** ProfileService's {@code ServiceLocked}: true once {@link #close()} has begun. Store calls then return empty. */
    public boolean isServiceLocked() {
        return engine.isLocked();
    }

    /** Store errors worth logging to analytics, one message each: ProfileService's {@code IssueSignal}. */
    public Signal<Consumer<String>> issueSignal() {
        return engine.issueSignal();
    }

    /** {@code (storeName, key)} of a record that could not be decoded and was set aside: ProfileService's {@code CorruptionSignal}. */
    public Signal<BiConsumer<String, String>> corruptionSignal() {
        return engine.corruptionSignal();
    }

    /** True when issues pile up (see {@link Builder#criticalState}), false when they have stopped: ProfileService's {@code CriticalStateSignal}. */
    public Signal<Consumer<Boolean>> criticalStateSignal() {
        return engine.criticalStateSignal();
    }

    /** This server's place id. */
    public String getPlaceId() {
        return engine.settings().placeId();
    }

    /** This server's job id. */
    public String getJobId() {
        return engine.settings().jobId();
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

    /** The settings this service was built with. */
    public ProfileServiceSettings settings() {
        return engine.settings();
    }

    /**
     * Sets up a {@link ProfileService}. A builder is mutable and not thread-safe; {@link #build()}
     * freezes what it holds into {@link ProfileServiceSettings}, an immutable value, after checking the settings
     * against each other. Every setting has a default, named by a {@code DEFAULT_*} constant of
     * {@link ProfileServiceSettings}.
     */
    public static final class Builder {
        String backendUri;
        Backend backend;
        String placeId = ProfileServiceSettings.DEFAULT_PLACE_ID;
        String jobId;
        Duration autoSavePeriod = ProfileServiceSettings.DEFAULT_AUTO_SAVE_PERIOD;
        Duration lease = ProfileServiceSettings.DEFAULT_LEASE;
        Duration forceLoadTimeout = ProfileServiceSettings.DEFAULT_FORCE_LOAD_TIMEOUT;
        Duration pollInterval = ProfileServiceSettings.DEFAULT_POLL_INTERVAL;
        int criticalIssueCount = ProfileServiceSettings.DEFAULT_CRITICAL_ISSUE_COUNT;
        Duration criticalWindow = ProfileServiceSettings.DEFAULT_CRITICAL_WINDOW;
        Duration criticalCooldown = ProfileServiceSettings.DEFAULT_CRITICAL_COOLDOWN;
        int maxDataBytes = ProfileServiceSettings.DEFAULT_MAX_DATA_BYTES;
        int maxPendingUpdates = ProfileServiceSettings.DEFAULT_MAX_PENDING_UPDATES;
        Duration retryBackoffMax = ProfileServiceSettings.DEFAULT_RETRY_BACKOFF_MAX;
        Duration versionInterval = ProfileServiceSettings.DEFAULT_VERSION_INTERVAL;
        int versionsKept = ProfileServiceSettings.DEFAULT_VERSIONS_KEPT;
        Duration versionMaxAge = ProfileServiceSettings.DEFAULT_VERSION_MAX_AGE;
        boolean versionHistory = true;
        Clock clock = Clock.systemUTC();
        ScheduledExecutorService scheduler;
        Executor listenerExecutor;
        Executor storeExecutor;
        java.util.random.RandomGenerator random;
        boolean shutdownHook;
        boolean reconcileOnLoad;
        ProfileServiceObserver observer;

        private Builder() {}

        /**
         * The store, as a URI: {@code memory:}, {@code sqlite:PATH}, {@code postgresql://...},
         * {@code mariadb://...}, {@code mysql://...}, {@code redis://...}. Default
         * {@link ProfileServiceSettings#DEFAULT_BACKEND_URI}. Resolved at {@link #build()}; an unknown scheme or
         * an unreachable store fails there with a message naming the URI (password masked).
         *
         * @throws IllegalStateException if a store was given already (a URI or an object)
         */
        public Builder backend(String uri) {
            Objects.requireNonNull(uri, "backend uri");
            requireNoBackendYet("backend(\"" + BackendUris.mask(uri) + "\")");
            this.backendUri = uri;
            return this;
        }

        /**
         * A backend object made by the caller (own pool, credentials). The service closes it on
         * {@link #close()}.
         *
         * @throws IllegalStateException if a store was given already (a URI or an object)
         */
        public Builder backend(Backend backend) {
            Objects.requireNonNull(backend, "backend");
            requireNoBackendYet("backend(" + backend.describe() + ")");
            this.backend = backend;
            return this;
        }

        /** Two stores for one service is a mistake (the first would silently be dropped). */
        private void requireNoBackendYet(String call) {
            if (backendUri != null || backend != null) {
                throw new IllegalStateException(call + ": this builder already has a store ("
                        + (backend != null ? backend.describe() : BackendUris.mask(backendUri))
                        + "); a service has one store, give it once");
            }
        }

        /** ProfileService's {@code place_id}: which game/place this server runs. Default {@link ProfileServiceSettings#DEFAULT_PLACE_ID}. */
        public Builder placeId(String placeId) {
            this.placeId = requireText(placeId, "placeId");
            return this;
        }

        /** ProfileService's {@code game_job_id}, unique per process. Default: a random UUID. */
        public Builder jobId(String jobId) {
            this.jobId = requireText(jobId, "jobId");
            return this;
        }

        /**
         * How often each active profile is saved (spread evenly over the period); at most the
         * {@link #lease}. Default {@link ProfileServiceSettings#DEFAULT_AUTO_SAVE_PERIOD}.
         */
        public Builder autoSavePeriod(Duration period) {
            this.autoSavePeriod = positive(period, "autoSavePeriod");
            return this;
        }

        /**
         * How long this server's sessions stay valid without a heartbeat. The heartbeat runs every
         * third of it; other servers may take a dead server's profiles after the lease plus one
         * second. Both are measured by the store's clock (see
         * {@link dev.profileservice.spi.LeaseClock}), so servers whose clocks disagree still agree on
         * who is alive. Default {@link ProfileServiceSettings#DEFAULT_LEASE}.
         */
        public Builder lease(Duration lease) {
            this.lease = positive(lease, "lease");
            return this;
        }

        /**
         * How long FORCE_LOAD waits for a live owner to release before stealing; at least the
         * {@link #pollInterval}. Default {@link ProfileServiceSettings#DEFAULT_FORCE_LOAD_TIMEOUT}.
         */
        public Builder forceLoadTimeout(Duration timeout) {
            this.forceLoadTimeout = positive(timeout, "forceLoadTimeout");
            return this;
        }

        /** How often waits look at the store again when no message arrives. Default {@link ProfileServiceSettings#DEFAULT_POLL_INTERVAL}. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "pollInterval");
            return this;
        }

        /**
         * The critical state: entered when {@code issues} issues happen within {@code window}, left
         * when none happened for {@code cooldown}. Default {@link ProfileServiceSettings#DEFAULT_CRITICAL_ISSUE_COUNT}
         * within {@link ProfileServiceSettings#DEFAULT_CRITICAL_WINDOW}, cleared after {@link ProfileServiceSettings#DEFAULT_CRITICAL_COOLDOWN}.
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

        /**
         * The largest encoded profile (data, tags, locked updates) accepted, in bytes; at least
         * 1024. Default {@link ProfileServiceSettings#DEFAULT_MAX_DATA_BYTES}.
         */
        public Builder maxDataBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxDataBytes must be at least 1024, was " + bytes);
            }
            this.maxDataBytes = bytes;
            return this;
        }

        /**
         * The most Active global updates one profile may hold waiting for its owner to lock them,
         * so a storm against an offline profile cannot grow its record without limit. A send that
         * would go over sends nothing and fails with {@link IllegalStateException}: at once when no
         * session holds the profile; when one does, a send that only adds first waits up to 10
         * seconds (or two auto-save periods, if longer) for the owner to take updates in (a storm outruns a busy owner for moments), so
         * under contention senders are slowed down rather than failed. At least 1.
         * Default {@link ProfileServiceSettings#DEFAULT_MAX_PENDING_UPDATES}.
         */
        public Builder maxPendingUpdates(int updates) {
            if (updates < 1) {
                throw new IllegalArgumentException("maxPendingUpdates must be at least 1, was " + updates);
            }
            this.maxPendingUpdates = updates;
            return this;
        }

        /**
         * The longest wait between retries of a failing store call (backoff doubles from 100 ms up
         * to it; a store that answers again ends every wait at once). Default
         * {@link ProfileServiceSettings#DEFAULT_RETRY_BACKOFF_MAX}.
         */
        public Builder retryBackoffMax(Duration max) {
            this.retryBackoffMax = positive(max, "retryBackoffMax");
            return this;
        }

        /**
         * How often an auto-save or a {@code save()} of one profile is kept as a version in the
         * store's history: at most once per interval per session. Saves by a release, an
         * {@code overwrite()} or a migration are always kept. Default {@link ProfileServiceSettings#DEFAULT_VERSION_INTERVAL}.
         */
        public Builder versionInterval(Duration interval) {
            this.versionInterval = positive(interval, "versionInterval");
            return this;
        }

        /**
         * Whether saves keep versions in the store's history at all (see {@link #versionInterval}).
         * Default true; false writes no version, not even of a release (the history that is there
         * stays readable, and pruning still runs).
         */
        public Builder versionHistory(boolean enabled) {
            this.versionHistory = enabled;
            return this;
        }

        /**
         * How long the history keeps versions: the newest {@code newest} of each profile (0: no limit
         * by count), and those younger than {@code maxAge} ({@link Duration#ZERO}: no limit by age;
         * the newest version is kept whatever its age). Pinned versions are always kept. Pruning runs
         * after a release, off the save path. Defaults {@link ProfileServiceSettings#DEFAULT_VERSIONS_KEPT} and
         * {@link ProfileServiceSettings#DEFAULT_VERSION_MAX_AGE}.
         */
        public Builder versionRetention(int newest, Duration maxAge) {
            if (newest < 0) {
                throw new IllegalArgumentException("versionRetention: newest must be 0 or more, was " + newest);
            }
            Objects.requireNonNull(maxAge, "maxAge");
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("versionRetention: maxAge must not be negative, was " + maxAge);
            }
            this.versionsKept = newest;
            this.versionMaxAge = maxAge;
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
         * Where the engine's store calls, and the work between them, run. Default: an internal pool of
         * daemon threads sized to what the backend serves at once, shut down on close; a given one is
         * not shut down. It must run every task it accepts; it may run them on any number of threads.
         * Tests and the testkit's deterministic simulation pass one that runs them all on one thread
         * in a seeded order.
         */
        public Builder storeExecutor(Executor executor) {
            this.storeExecutor = Objects.requireNonNull(executor, "storeExecutor");
            return this;
        }

        /**
         * Where the service's random ids come from (its server id, the token that makes a global
         * update's send idempotent). Default: random UUIDs. It must be thread-safe ({@link
         * java.util.Random} is); the testkit's deterministic simulation passes a seeded one so a seed
         * replays exactly. Ids must not repeat across servers: never give two services one seed.
         */
        public Builder random(java.util.random.RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
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

        /**
         * Run {@link Profile#reconcile()} on every profile as it loads, before the game sees it, so
         * fields added to the template since a profile was last saved are filled at once (and saved
         * with its next save). Default false, as ProfileService: call {@code reconcile()} yourself.
         */
        public Builder reconcileOnLoad(boolean enabled) {
            this.reconcileOnLoad = enabled;
            return this;
        }

        /**
         * Where the engine reports what it does (loads, saves, gifts, issues...), for metrics: see
         * {@link ProfileServiceObserver}, which says on which thread each event comes. The
         * {@code profileservice-micrometer} module offers one that records Micrometer meters.
         * Default: none; then the engine makes no observer calls and reads no extra time.
         *
         * @throws IllegalStateException if an observer was given already (a second would silently
         *                               replace the first; combine them in one instead)
         */
        public Builder observer(ProfileServiceObserver observer) {
            Objects.requireNonNull(observer, "observer");
            if (this.observer != null) {
                throw new IllegalStateException("observer(" + observer + "): this builder already has an observer ("
                        + this.observer + "); a service has one, give it once");
            }
            this.observer = observer;
            return this;
        }

        /** Also run {@link ProfileService#close()} from a JVM shutdown hook. Default false. */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        /**
         * Freezes the settings (checking them against each other), opens the store, starts the
         * heartbeat and returns the service.
         *
         * @throws IllegalArgumentException if settings contradict each other (the message says
         *                                  which to change) or the backend URI has an unknown scheme
         * @throws ProfileServiceException  if the store cannot be reached
         */
        public ProfileService build() {
            ProfileService service = new ProfileService(Engine.start(new ProfileServiceSettings(this)));
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
