package dev.profileservice;

import java.time.Instant;
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
     * view; its changes are written together, all or nothing, and are durable when this returns.
     *
     * <p>A handler that only adds (the common case) is sent in one round trip without reading the
     * profile first, and never conflicts with other senders; sends to the same key from this
     * server at the same moment share round trips. A handler that looks at the updates (or
     * changes or clears one) runs after a read, and runs again if the owner locked an update it
     * changes before the change is written; only the last run's changes are kept. So a handler
     * may run twice: keep it free of other side effects.
     *
     * @return the updates this call added (with the ids the store gave them), after the Active
     *         updates the handler saw if it looked at them, and the Locked ones it saw; empty if the
     *         service is closing
     * @throws IllegalStateException if the profile already holds
     *                               {@link ProfileService.Builder#maxPendingUpdates the most Active updates}
     *                               it may: nothing was sent (when a session holds the profile, a send that
     *                               only adds first waits for its owner to take updates in)
     */
    Optional<GlobalUpdates> globalUpdateProfile(String key, Consumer<GlobalUpdates> handler);

    /** The non-blocking form of {@link #globalUpdateProfile}. */
    CompletableFuture<Optional<GlobalUpdates>> globalUpdateProfileAsync(String key, Consumer<GlobalUpdates> handler);

    /**
     * Reads a profile without taking its lock: ProfileService's {@code ViewProfileAsync}. Empty when no
     * data was ever saved under {@code key}. The result is never active and refuses writes.
     */
    Optional<Profile<T>> viewProfile(String key);

    /**
     * A kept version of a profile: ProfileService's {@code ViewProfileAsync(key, version)}. Versions
     * are named by {@link Profile.KeyInfo#version()}; a profile's latest data is a version too, kept
     * or not. The result is a view: never active, read-only but for {@link Profile#clearGlobalUpdates()}
     * and {@link Profile#overwrite()} (the rollback).
     *
     * @return the view, or empty if the version does not exist (any more: pruned, or wiped) or the
     *         store keeps no history
     * @throws IllegalArgumentException if the key is invalid or {@code version} is not a version id
     * @throws ProfileServiceException  if the store keeps failing
     */
    Optional<Profile<T>> viewProfile(String key, String version);

    /** {@code profileVersionQuery(key, SortDirection.ASCENDING, null, null)}: every kept version, oldest first. */
    default ProfileVersionQuery<T> profileVersionQuery(String key) {
        return profileVersionQuery(key, SortDirection.ASCENDING, null, null);
    }

    /**
     * The kept versions of {@code key} written between {@code minDate} and {@code maxDate} (either may
     * be null: no bound), in {@code direction}: ProfileService's {@code ProfileVersionQuery}. Times are
     * the store's. Nothing is read until the first {@link ProfileVersionQuery#next()}.
     *
     * @throws IllegalArgumentException if the key is invalid, {@code direction} is null, or
     *                                  {@code minDate} is after {@code maxDate}
     */
    ProfileVersionQuery<T> profileVersionQuery(String key, SortDirection direction, Instant minDate, Instant maxDate);

    /**
     * Erases the profile of {@code key}: its record (data, meta tags, Locked updates, session), its
     * pending global updates and their remembered tokens, every stored version and every
     * quarantined copy, in one atomic step where the store allows it (SQL: one transaction; Redis:
     * one script): ProfileService's {@code WipeProfileAsync}, for erasure requests. A session
     * that holds the profile anywhere ends as if stolen: its later saves and its release are
     * refused (they never bring the profile back), and its release listeners fire; on this service
     * that happens at its next sync, on another server at its next save. A later load starts from
     * the template.
     *
     * @return true if a record existed
     * @throws IllegalArgumentException      if the key is invalid
     * @throws UnsupportedOperationException if the store offers no administrative operations
     *                                       ({@link dev.profileservice.spi.Backend#admin()}; every
     *                                       built-in store does)
     * @throws ProfileServiceException       if the store keeps failing
     */
    boolean wipeProfile(String key);

    /** The non-blocking form of {@link #wipeProfile}; argument errors fail the future. */
    CompletableFuture<Boolean> wipeProfileAsync(String key);

    /**
     * ProfileService's {@code ProfileStore.Mock}: this store (same name, same template) on a detached
     * in-memory store, for tests and tools: what it loads, saves and receives never reaches the real
     * store, and the real store's profiles are not in it. Every store of one service shares one mock
     * service, with this service's settings; it is closed with this service. Calling it again
     * returns a store on the same mock data.
     *
     * @throws IllegalStateException if the service is closed
     */
    ProfileStore<T> mock();
}
