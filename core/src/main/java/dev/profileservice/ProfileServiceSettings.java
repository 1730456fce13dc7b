package dev.profileservice;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendUris;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The settings of a service, frozen by {@link ProfileService.Builder#build()}: an immutable value, safe to
 * share between threads. The {@code DEFAULT_*} constants are the defaults of the builder.
 */
public final class ProfileServiceSettings {
    /** The default store: in-process, private to the service ({@code memory:}). */
    public static final String DEFAULT_BACKEND_URI = "memory:";
    /** The default place id. */
    public static final String DEFAULT_PLACE_ID = "default";
    /** The default auto-save period: 30 s, ProfileService's. */
    public static final Duration DEFAULT_AUTO_SAVE_PERIOD = Duration.ofSeconds(30);
    /** The default lease: 30 s (a crashed server's profiles are free after 31 s). */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** The default FORCE_LOAD wait for a live owner: 10 s. */
    public static final Duration DEFAULT_FORCE_LOAD_TIMEOUT = Duration.ofSeconds(10);
    /** The default poll interval of waits without messages: 1 s. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /** The default number of issues that make the state critical: 5, ProfileService's. */
    public static final int DEFAULT_CRITICAL_ISSUE_COUNT = 5;
    /** The default window of the critical state: 120 s, ProfileService's. */
    public static final Duration DEFAULT_CRITICAL_WINDOW = Duration.ofSeconds(120);
    /** The default quiet time that ends the critical state: 120 s, ProfileService's. */
    public static final Duration DEFAULT_CRITICAL_COOLDOWN = Duration.ofSeconds(120);
    /** The default largest encoded profile: 4 MB, as Roblox's DataStore. */
    public static final int DEFAULT_MAX_DATA_BYTES = 4 * 1024 * 1024;
    /** The default most Active global updates a profile may hold: 1,000, as ProfileStore's. */
    public static final int DEFAULT_MAX_PENDING_UPDATES = 1000;
    /** The default longest backoff between retries: 8 s. */
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(8);
    /** The default interval between kept versions of auto-saves: 5 minutes. */
    public static final Duration DEFAULT_VERSION_INTERVAL = Duration.ofMinutes(5);
    /** The default count of versions kept per profile: 100. */
    public static final int DEFAULT_VERSIONS_KEPT = 100;
    /** The default age of kept versions: 30 days, as Roblox keeps DataStore versions. */
    public static final Duration DEFAULT_VERSION_MAX_AGE = Duration.ofDays(30);

    private final String backendUri;
    private final Backend backend;
    private final String placeId;
    private final String jobId;
    private final Duration autoSavePeriod;
    private final Duration lease;
    private final Duration forceLoadTimeout;
    private final Duration pollInterval;
    private final int criticalIssueCount;
    private final Duration criticalWindow;
    private final Duration criticalCooldown;
    private final int maxDataBytes;
    private final int maxPendingUpdates;
    private final Duration retryBackoffMax;
    private final Duration versionInterval;
    private final int versionsKept;
    private final Duration versionMaxAge;
    private final boolean versionHistory;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Executor listenerExecutor;
    private final Executor storeExecutor;
    private final java.util.random.RandomGenerator random;
    private final boolean reconcileOnLoad;
    private final ProfileServiceObserver observer;

    ProfileServiceSettings(ProfileService.Builder b) {
        this.reconcileOnLoad = b.reconcileOnLoad;
        this.backend = b.backend;
        this.backendUri = b.backend == null && b.backendUri == null ? DEFAULT_BACKEND_URI : b.backendUri;
        this.placeId = b.placeId;
        this.jobId = b.jobId != null ? b.jobId : UUID.randomUUID().toString();
        this.autoSavePeriod = b.autoSavePeriod;
        this.lease = b.lease;
        this.forceLoadTimeout = b.forceLoadTimeout;
        this.pollInterval = b.pollInterval;
        this.criticalIssueCount = b.criticalIssueCount;
        this.criticalWindow = b.criticalWindow;
        this.criticalCooldown = b.criticalCooldown;
        this.maxDataBytes = b.maxDataBytes;
        this.maxPendingUpdates = b.maxPendingUpdates;
        this.retryBackoffMax = b.retryBackoffMax;
        this.versionInterval = b.versionInterval;
        this.versionsKept = b.versionsKept;
        this.versionMaxAge = b.versionMaxAge;
        this.versionHistory = b.versionHistory;
        this.clock = b.clock;
        this.scheduler = b.scheduler;
        this.listenerExecutor = b.listenerExecutor;
        this.storeExecutor = b.storeExecutor;
        this.random = b.random;
        this.observer = b.observer;
        checkTogether();
    }

    /** The settings that contradict each other, each with what to change. */
    private void checkTogether() {
        if (autoSavePeriod.compareTo(lease) > 0) {
            throw new IllegalArgumentException(
                    "autoSavePeriod (" + autoSavePeriod + ") is longer than the lease (" + lease
                            + "): a server that pauses longer than its lease loses its profiles to others before it ever saved"
                            + " what a period's play changed; set autoSavePeriod to at most the lease, or lengthen the lease");
        }
        if (pollInterval.compareTo(forceLoadTimeout) > 0) {
            throw new IllegalArgumentException("pollInterval (" + pollInterval
                    + ") is longer than forceLoadTimeout ("
                    + forceLoadTimeout + "): a FORCE_LOAD would not look again before its timeout; set pollInterval"
                    + " to at most forceLoadTimeout");
        }
    }

    /** Whether every load reconciles the data with the template ({@link ProfileService.Builder#reconcileOnLoad}). */
    public boolean reconcileOnLoad() {
        return reconcileOnLoad;
    }

    /** The store URI, if the store was given as one ({@link #DEFAULT_BACKEND_URI} if none was given). */
    public Optional<String> backendUri() {
        return Optional.ofNullable(backendUri);
    }

    /** The backend object, if the store was given as one. */
    public Optional<Backend> backend() {
        return Optional.ofNullable(backend);
    }

    /** This server's place id. */
    public String placeId() {
        return placeId;
    }

    /** This server's job id (a random UUID unless given). */
    public String jobId() {
        return jobId;
    }

    /** How often each active profile is saved. */
    public Duration autoSavePeriod() {
        return autoSavePeriod;
    }

    /** How long this server's sessions stay valid without a heartbeat, on the store's clock. */
    public Duration lease() {
        return lease;
    }

    /** How long FORCE_LOAD waits for a live owner. */
    public Duration forceLoadTimeout() {
        return forceLoadTimeout;
    }

    /** How often waits look at the store when no message arrives. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** Issues within {@link #criticalWindow()} that make the state critical. */
    public int criticalIssueCount() {
        return criticalIssueCount;
    }

    /** The window of the critical state. */
    public Duration criticalWindow() {
        return criticalWindow;
    }

    /** The quiet time that ends the critical state. */
    public Duration criticalCooldown() {
        return criticalCooldown;
    }

    /** The largest encoded profile accepted, in bytes. */
    public int maxDataBytes() {
        return maxDataBytes;
    }

    /** The most Active global updates one profile may hold. */
    public int maxPendingUpdates() {
        return maxPendingUpdates;
    }

    /** The longest wait between retries of a failing store call. */
    public Duration retryBackoffMax() {
        return retryBackoffMax;
    }

    /** Whether saves keep versions at all. */
    public boolean versionHistory() {
        return versionHistory;
    }

    /** How often an auto-save of one profile is kept as a version. */
    public Duration versionInterval() {
        return versionInterval;
    }

    /** How many versions of each profile the history keeps (0: no limit by count). */
    public int versionsKept() {
        return versionsKept;
    }

    /** How long the history keeps versions ({@link Duration#ZERO}: no limit by age). */
    public Duration versionMaxAge() {
        return versionMaxAge;
    }

    /** The clock of this server's own waits and metadata times. */
    public Clock clock() {
        return clock;
    }

    /** The scheduler given to the builder; empty when the service runs its own. */
    public Optional<ScheduledExecutorService> scheduler() {
        return Optional.ofNullable(scheduler);
    }

    /** The listener executor given to the builder; empty when the service runs its own. */
    public Optional<Executor> listenerExecutor() {
        return Optional.ofNullable(listenerExecutor);
    }

    /** The executor given for store calls; empty when the service runs its own pool. */
    public Optional<Executor> storeExecutor() {
        return Optional.ofNullable(storeExecutor);
    }

    /** The random source given for ids; empty when the service uses random UUIDs. */
    public Optional<java.util.random.RandomGenerator> random() {
        return Optional.ofNullable(random);
    }

    /** The observer given to the builder ({@link ProfileService.Builder#observer}); empty when none was. */
    public Optional<ProfileServiceObserver> observer() {
        return Optional.ofNullable(observer);
    }

    /** The settings, with the store's password masked. */
    @Override
    public String toString() {
        return "Settings{store=" + (backend != null ? backend.describe() : BackendUris.mask(backendUri))
                + ", placeId=" + placeId
                + ", jobId=" + jobId + ", autoSavePeriod=" + autoSavePeriod + ", lease=" + lease
                + ", forceLoadTimeout="
                + forceLoadTimeout + ", pollInterval=" + pollInterval + ", criticalState=" + criticalIssueCount
                + " in "
                + criticalWindow + " / " + criticalCooldown + ", maxDataBytes=" + maxDataBytes
                + ", maxPendingUpdates=" + maxPendingUpdates + ", retryBackoffMax="
                + retryBackoffMax + (versionHistory ? ", versions every " + versionInterval : ", no versions")
                + ", kept " + versionsKept + " / "
                + versionMaxAge + "}";
    }
}
