package dev.profileservice;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Loads, views and sends global updates to the profiles of one named store: ProfileService's
 * {@code ProfileStore}. Thread-safe; blocking methods may be called from any thread (including
 * virtual threads) except the service's own listener executor, where they would wait on
 * themselves.
 *
 * @param <T> the data type (a class with fields, a record, or {@code Map<String, Object>})
 */
public interface ProfileStore<T> {

    /** The store name. */
    String getName();

    /** {@code loadProfile(key, NotReleasedHandler.FORCE_LOAD)}. */
    default Optional<Profile<T>> loadProfile(String key) {
        return loadProfile(key, NotReleasedHandler.FORCE_LOAD);
    }

    /**
     * Takes the session lock of {@code key} and returns the active profile: ProfileService's
     * {@code LoadProfileAsync}. Empty when the handler cancelled, when another server won a race
     * for the same key, or when the service is closing.
     *
     * @throws IllegalArgumentException if the key is invalid
     * @throws IllegalStateException    if this service already holds or is loading {@code key}
     * @throws ProfileServiceException  if the store keeps failing
     */
    Optional<Profile<T>> loadProfile(String key, NotReleasedHandler handler);

    /** The non-blocking form of {@link #loadProfile(String, NotReleasedHandler)}; argument errors fail the future. */
    CompletableFuture<Optional<Profile<T>>> loadProfileAsync(String key, NotReleasedHandler handler);

    /**
     * Sends global updates to {@code key}, whether or not the profile was ever loaded or is active
     * anywhere: ProfileService's {@code GlobalUpdateProfileAsync}. The handler gets the add/change/clear
     * view; its changes are durable when this returns. The handler may run more than once if
     * another sender wrote at the same time; only the last run's changes are kept.
     *
     * @return the global updates after the write; empty if the service is closing
     */
    Optional<GlobalUpdates> globalUpdateProfile(String key, Consumer<GlobalUpdates> handler);

    /** The non-blocking form of {@link #globalUpdateProfile}. */
    CompletableFuture<Optional<GlobalUpdates>> globalUpdateProfileAsync(String key, Consumer<GlobalUpdates> handler);

    /**
     * Reads a profile without taking its lock: ProfileService's {@code ViewProfileAsync}. Empty when no
     * data was ever saved under {@code key}. The result is never active and refuses writes.
     */
    Optional<Profile<T>> viewProfile(String key);
}
