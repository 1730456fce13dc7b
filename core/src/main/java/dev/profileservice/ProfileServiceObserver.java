package dev.profileservice;

/**
 * What the engine reports as it works, for metrics: loads, hand-overs, saves, releases, gifts,
 * issues, corruption and kept versions, each with the name of the {@link ProfileStore} it concerns.
 * Set one with {@link ProfileService.Builder#observer}; {@code profileservice-micrometer} offers one
 * that records them as Micrometer meters. Without one the engine makes none of these calls and reads
 * no extra time.
 *
 * <p>Every method has an empty default, so an observer implements only what it needs.
 *
 * <h2>Threads and rules</h2>
 * <ul>
 *   <li>Methods are called on the engine's own threads, as each says: the store executor
 *       ({@link ProfileService.Builder#storeExecutor}, by default the {@code profileservice-io}
 *       pool), the scheduler, or the thread that called the API (for example
 *       {@code getProfileStore}). Several may run at once, for one store or several: an observer
 *       must be thread-safe.</li>
 *   <li>Some are called while the engine holds a profile's data lock (gift events). An observer
 *       must not block, must not call back into the service, and should take no more than a
 *       counter increment's time: it runs on the save path.</li>
 *   <li>An observer that throws is logged (the first time at WARN, then at DEBUG) and ignored: the
 *       engine goes on as if the call had returned.</li>
 * </ul>
 *
 * <h2>Time</h2>
 * Durations are in nanoseconds. With the default clock they are measured with
 * {@link System#nanoTime()}; with a clock given to {@link ProfileService.Builder#clock} they are
 * measured by that clock (millisecond resolution), so tests in virtual time see virtual durations.
 */
public interface ProfileServiceObserver {

    /** How a load ended. */
    enum LoadOutcome {
        /** The profile is this server's ({@code Optional} with the profile). */
        LOADED,
        /** The {@link NotReleasedHandler} answered CANCEL, or the service was closing: empty. */
        CANCELLED,
        /** A FORCE_LOAD waited and another server took the profile first: empty. */
        LOST_RACE,
        /** The load failed with an exception (store unreachable after retries, bad data, ...). */
        FAILED
    }

    /** How one sync of an active profile ended (an auto-save, a {@code save()}, a gift lock or the final save of a release). */
    enum SaveOutcome {
        /** Written by the store. */
        SAVED,
        /** Nothing had changed since the last save: the session was only checked (one read), nothing written. */
        UNCHANGED,
        /** Refused by the store because another server holds the session now (stolen, force-loaded, overwritten, wiped): the session ends. */
        REFUSED,
        /** Not applied because a sender changed a gift this save consumed; the engine reads the gifts and saves again at once. */
        CONFLICT,
        /** The store call failed (or the data could not be encoded); retried after a backoff. */
        FAILED
    }

    /**
     * The service has started (called once, from {@link ProfileService.Builder#build()}, on the
     * building thread, before any other method): {@code state} reads the service's live figures
     * (for gauges) for as long as it runs.
     */
    default void started(ServiceState state) {}

    /** A store was opened by {@code getProfileStore} for the first time; on the calling thread. */
    default void storeOpened(String store) {}

    /**
     * A load ended, {@code nanos} after it was asked for (including any wait for another server);
     * on the store executor (or the calling thread, when the service was already closing).
     */
    default void loadFinished(String store, LoadOutcome outcome, long nanos) {}

    /**
     * A load that found the profile held by another server got it, {@code nanos} after it first
     * found it held (the hand-over: a REPEAT or FORCE_LOAD wait for a live owner, a STEAL, or the
     * steal of a dead owner's profile once its lease ran out); on the store executor, just before
     * {@link #loadFinished}.
     */
    default void handOverWaited(String store, long nanos) {}

    /**
     * One sync of an active profile ended; {@code nanos} from when a flusher took it up (encoding
     * and the store round trip; a batched save shares its batch's round trip). On the store
     * executor.
     */
    default void saveFinished(String store, SaveOutcome outcome, long nanos) {}

    /** {@code size} saves went to the store in one round trip (a batch; 1 for a lone save); on the store executor. */
    default void batchWritten(int size) {}

    /**
     * A session of this server ended: released ({@code lost} false: the final save is durable) or
     * taken over by another server ({@code lost} true). On the store executor.
     */
    default void sessionEnded(String store, boolean lost) {}

    /** {@code count} global updates sent by this server were added to a profile's inbox; on the store executor. */
    default void giftsSent(String store, int count) {}

    /**
     * A global update was locked by this server's save (the owner took it in); {@code deliveryNanos}
     * from when this session first saw it in the inbox (at its load, or when it arrived) until the
     * save that locked it was durable. On the store executor, under the profile's data lock.
     */
    default void giftLocked(String store, long deliveryNanos) {}

    /** The game cleared a Locked global update ({@code clearLockedUpdate}); on the calling thread, under the profile's data lock. */
    default void giftCleared(String store) {}

    /**
     * An issue, one message of {@link ProfileService#issueSignal()} that counts towards the critical
     * state; on the thread that met it (usually the store executor).
     */
    default void issue() {}

    /** A record (or a gift) that could not be decoded was set aside, as {@link ProfileService#corruptionSignal()} reports; on the store executor. */
    default void corruption(String store) {}

    /**
     * The store kept a version of a profile in its history, written by this server;
     * {@code cause} is the lower-case name of the reason (release, save, auto_save, shutdown,
     * migration, overwrite). On the store executor, or the calling thread for an overwrite.
     */
    default void versionWritten(String store, String cause) {}

    /** The service has closed (every profile released); on the thread that called {@code close()}. */
    default void closed() {}

    /**
     * The live figures of a running service, for gauges. Each method is cheap and safe from any
     * thread; after close they read zero (critical: false).
     */
    interface ServiceState {
        /**
         * The kind of store: {@code sqlite}, {@code postgresql}, {@code mariadb} (MariaDB and MySQL),
         * {@code redis} (also Redis Sentinel and Cluster), {@code memory}, or {@code other} for a
         * store this library does not know, judged from how the backend describes itself
         * ({@link dev.profileservice.spi.Backend#describe()}).
         */
        String backendKind();

        /** Whether the service is in the critical state ({@link ProfileService#criticalStateSignal()}). */
        boolean isCritical();

        /** Profiles of {@code store} whose session this server holds (loaded, not yet fully released). */
        int activeProfiles(String store);

        /** Saves waiting for a flusher (queued, not yet at the store). */
        int savesQueued();

        /** Saves at the store now (sent, answer not yet received). */
        int savesInFlight();
    }
}
