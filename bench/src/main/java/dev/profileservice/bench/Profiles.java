package dev.profileservice.bench;

import static dev.profileservice.bench.Blocking.TIMEOUT;
import static dev.profileservice.bench.Blocking.await;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What the macro measurements do to profiles through the public API: name them, load them (one or
 * many at once), edit them, release them. Every wait is bounded by {@link Blocking#TIMEOUT}.
 */
final class Profiles {

    private Profiles() {}

    /** {@code prefix-0} to {@code prefix-(n-1)}. */
    static List<String> keys(String prefix, int n) {
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(prefix + "-" + i);
        }
        return keys;
    }

    /** Loads one profile, stealing it if another server holds it. */
    static Profile<Map<String, Object>> load(ProfileStore<Map<String, Object>> store, String key) {
        return await(store.loadProfileAsync(key, NotReleasedHandler.FORCE_LOAD), "load of " + key)
                .orElseThrow(() -> new IllegalStateException("load of " + key + " returned empty"));
    }

    /** Loads every key as {@link #load} does, {@code parallelism} loads in flight at once. */
    static List<Profile<Map<String, Object>>> loadAll(
            ProfileStore<Map<String, Object>> store, List<String> keys, int parallelism) {
        Semaphore inFlight = new Semaphore(parallelism);
        List<CompletableFuture<Optional<Profile<Map<String, Object>>>>> futures = new ArrayList<>(keys.size());
        for (String key : keys) {
            try {
                if (!inFlight.tryAcquire(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("no load of " + parallelism + " in flight finished within "
                            + TIMEOUT + " (loading " + keys.size() + " profiles)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            CompletableFuture<Optional<Profile<Map<String, Object>>>> f =
                    store.loadProfileAsync(key, NotReleasedHandler.FORCE_LOAD);
            f.whenComplete((r, e) -> inFlight.release());
            futures.add(f);
        }
        List<Profile<Map<String, Object>>> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            out.add(await(futures.get(i), "load of " + key)
                    .orElseThrow(() -> new IllegalStateException("load of " + key + " returned empty")));
        }
        return out;
    }

    /** One edit, so the profile has something to save. */
    static void touch(Profile<Map<String, Object>> p, long n) {
        p.edit(data -> data.put("coins", n));
    }

    /** Releases every profile, 32 at a time. */
    static void releaseAll(List<Profile<Map<String, Object>>> profiles) {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>(profiles.size());
            for (Profile<Map<String, Object>> p : profiles) {
                done.add(CompletableFuture.runAsync(p::release, pool));
            }
            await(
                    CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])),
                    "releasing " + profiles.size() + " profiles");
        } finally {
            pool.shutdown();
        }
    }
}
