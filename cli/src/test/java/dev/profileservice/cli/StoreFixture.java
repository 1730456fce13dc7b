package dev.profileservice.cli;

import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.VersionCause;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A real store (by URI) with a uniquely named profile store, and helpers to put profiles into it
 * through a real {@link ProfileService} and to look at the raw records through the SPI.
 */
final class StoreFixture implements AutoCloseable {
    final String uri;
    final String storeName;
    final ProfileService service;
    final ProfileStore<Map<String, Object>> store;
    final Backend backend;

    StoreFixture(String uri) {
        this.uri = uri;
        this.storeName = "CliTest_" + UUID.randomUUID().toString().substring(0, 8);
        this.service = ProfileService.builder()
                .backend(uri)
                .placeId("test-place")
                .jobId("test-job-" + storeName)
                .lease(Duration.ofSeconds(5))
                .autoSavePeriod(Duration.ofSeconds(5))
                .build();
        this.store = service.getProfileStore(storeName, new LinkedHashMap<String, Object>());
        this.backend = Backends.open(uri);
    }

    /** Saves a released profile with {@code coins} and a meta tag. */
    void put(String key, int coins) {
        Profile<Map<String, Object>> p = store.loadProfile(key).orElseThrow();
        p.edit(d -> d.put("coins", coins));
        p.setMetaTag("rank", "gold");
        p.release();
    }

    /** Loads and keeps {@code key} (this fixture's service holds it). */
    Profile<Map<String, Object>> hold(String key) {
        return store.loadProfile(key).orElseThrow();
    }

    /**
     * Loads {@code key} through the engine, runs {@code change} on the active profile and releases
     * it: the releasing save is kept as a version (cause release). Returns the revision it wrote.
     */
    long change(String key, Consumer<Profile<Map<String, Object>>> change) {
        Profile<Map<String, Object>> p = store.loadProfile(key).orElseThrow();
        change.accept(p);
        p.release();
        return record(key).revision();
    }

    /**
     * Writes {@code data} (a JSON object) with {@code tags} as a released profile through the SPI, in
     * one save kept with {@code cause} and holding {@code userIds}; the engine's payload format.
     * Returns the revision it wrote.
     */
    long keep(String key, VersionCause cause, String data, String tags, List<Long> userIds) {
        String payload = "{\"v\":1,\"created\":1700000000000,\"loads\":1,\"tags\":" + tags + ",\"locked\":[]"
                + (userIds.isEmpty() ? "" : ",\"userIds\":" + userIds.toString().replace(" ", "")) + ",\"data\":"
                + data + "}";
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        Owner me = new Owner("fixture-server", "fixture-place", "fixture-job");
        var acquired = backend.acquire(storeName, key, me, -1, bytes);
        if (!acquired.acquired()) {
            throw new IllegalStateException(
                    key + " is held: " + acquired.record().owner());
        }
        SaveResult saved = backend.save(
                storeName,
                key,
                new SaveRequest(me.serverId(), acquired.record().epoch(), bytes, true, List.of(), cause, userIds));
        if (saved.status() != SaveResult.Status.SAVED) {
            throw new IllegalStateException("save of " + key + ": " + saved.status());
        }
        return saved.record().revision();
    }

    StoredProfile record(String key) {
        return backend.read(storeName, key);
    }

    String[] args(String command, String... more) {
        return argsOn(uri, command, more);
    }

    /** {@link #args} for the store at {@code storeUri} (e.g. this one seen through another provider). */
    String[] argsOn(String storeUri, String command, String... more) {
        String[] base = {command, "--store", storeUri, "--profile-store", storeName};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** Closes the service, then deletes every record this test wrote (shared server stores stay clean). */
    @Override
    public void close() {
        service.close();
        try {
            for (String name : new String[] {storeName, storeName + "_copy", storeName + "_bad"}) {
                for (String key : BackendAdmin.of(backend).keys(name, null, 1_000)) {
                    BackendAdmin.of(backend).delete(name, key);
                }
            }
        } finally {
            backend.close();
        }
    }
}
