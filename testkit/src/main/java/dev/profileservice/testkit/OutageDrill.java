package dev.profileservice.testkit;

import static org.awaitility.Awaitility.await;

import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.ForwardingBackend;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A rehearsed store outage with a real network cut: a {@link ProfileService} whose connections go
 * through a {@link TcpProxy} keeps {@code profiles} profiles busy (each edited every 100 ms), the
 * proxy cuts every connection for {@code outage}, then heals, and the drill measures how soon every
 * profile's saves resume. A crash right after the heal loses what was edited since a profile's last
 * completed save, so this is the figure the README's "one auto-save period" promise is about.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", 5432)) {
 *     OutageDrill.Result r = OutageDrill.run(() -> Backends.open(uriThrough(proxy)), proxy,
 *             Duration.ofSeconds(4), Duration.ofSeconds(2), 40);
 *     assertThat(r.worstResume()).isLessThanOrEqualTo(Duration.ofSeconds(2));
 * }
 * }</pre>
 *
 * <p>Times are the engine's own: a save counts as completed when the store's answer reached the
 * engine (recorded by a {@link ForwardingBackend} around the backend). Runs on the calling thread
 * (blocking, about {@code outage} plus a few seconds) with one timer thread for the edits.
 */
public final class OutageDrill {

    private OutageDrill() {}

    /**
     * What one drill measured.
     *
     * @param outage       how long the connections were cut
     * @param profiles     how many busy profiles
     * @param worstResume  the longest time from the heal to a profile's first completed save after it
     * @param medianResume the median of the same
     * @param worstGap     the longest time any profile went without a completed save across the outage
     *                     (its last save before the cut to its first after the heal)
     */
    public record Result(
            Duration outage, int profiles, Duration worstResume, Duration medianResume, Duration worstGap) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "outage %.1f s, %d profiles: saves resumed after the heal within %.2f s (median %.2f s);"
                            + " longest time without a completed save %.2f s",
                    outage.toMillis() / 1000.0,
                    profiles,
                    worstResume.toMillis() / 1000.0,
                    medianResume.toMillis() / 1000.0,
                    worstGap.toMillis() / 1000.0);
        }
    }

    /**
     * Runs one drill.
     *
     * @param proxiedBackend opens a backend whose connections go through {@code proxy}
     * @param proxy          the proxy to cut
     * @param outage         how long to cut
     * @param autoSave       the service's auto-save period (retries back off up to 8 s, the default)
     * @param profiles       how many profiles to keep busy
     * @throws AssertionError if some profile's saves did not resume within 60 s of the heal
     */
    public static Result run(
            Supplier<Backend> proxiedBackend, TcpProxy proxy, Duration outage, Duration autoSave, int profiles) {
        SaveTimes times = new SaveTimes(proxiedBackend.get());
        String storeName =
                "outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        ScheduledExecutorService editor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outage-drill-editor");
            t.setDaemon(true);
            return t;
        });
        try (ProfileService service = ProfileService.builder()
                .backend(times)
                .placeId("outage-drill")
                .autoSavePeriod(autoSave)
                .build()) {
            ProfileStore<Map<String, Object>> store = service.getProfileStore(storeName, Map.of("edits", 0));
            List<Profile<Map<String, Object>>> loaded = new ArrayList<>();
            for (int i = 0; i < profiles; i++) {
                loaded.add(store.loadProfile("player-" + i).orElseThrow());
            }
            editor.scheduleAtFixedRate(
                    () -> loaded.forEach(p -> {
                        if (p.isActive()) {
                            p.edit(d -> d.merge("edits", 1, (a, b) -> ((Number) a).intValue() + 1));
                        }
                    }),
                    0,
                    100,
                    TimeUnit.MILLISECONDS);
            // every profile saved at least once before the cut
            await("every profile saved before the cut")
                    .atMost(autoSave.multipliedBy(3).plusSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> times.savedKeys() == profiles);

            long cutAt = System.nanoTime();
            proxy.cut();
            await("the outage").pollDelay(outage).atMost(outage.plusSeconds(5)).until(() -> true);
            long healedAt = System.nanoTime();
            proxy.restore();

            await("every profile saved after the heal")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> times.savedAfter(healedAt) == profiles);
            List<Long> resumes = new ArrayList<>();
            long worstGap = 0;
            for (Profile<Map<String, Object>> p : loaded) {
                long first = times.firstSaveAfter(p.getKey(), healedAt);
                resumes.add(first - healedAt);
                worstGap = Math.max(worstGap, first - times.lastSaveBefore(p.getKey(), cutAt));
            }
            Collections.sort(resumes);
            editor.shutdownNow();
            return new Result(
                    outage,
                    profiles,
                    Duration.ofNanos(resumes.get(resumes.size() - 1)),
                    Duration.ofNanos(resumes.get(resumes.size() / 2)),
                    Duration.ofNanos(worstGap));
        } finally {
            editor.shutdownNow();
        }
    }

    /** Records when each key's saves completed (System.nanoTime() at the store's answer). */
    private static final class SaveTimes extends ForwardingBackend {
        private final Map<String, List<Long>> saved = new ConcurrentHashMap<>();

        SaveTimes(Backend delegate) {
            super(delegate);
        }

        @Override
        public SaveResult save(String store, String key, SaveRequest request) {
            SaveResult r = super.save(store, key, request);
            record(key, r);
            return r;
        }

        @Override
        public List<SaveResult> saveBatch(List<SaveItem> items) {
            List<SaveResult> results = super.saveBatch(items);
            for (int i = 0; i < items.size(); i++) {
                record(items.get(i).key(), results.get(i));
            }
            return results;
        }

        private void record(String key, SaveResult r) {
            if (r.status() == SaveResult.Status.SAVED) {
                long now = System.nanoTime();
                saved.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(now);
            }
        }

        int savedKeys() {
            return saved.size();
        }

        int savedAfter(long nanos) {
            return (int) saved.keySet().stream()
                    .filter(k -> firstSaveAfter(k, nanos) != Long.MAX_VALUE)
                    .count();
        }

        long firstSaveAfter(String key, long nanos) {
            synchronized (saved.get(key)) {
                return saved.get(key).stream()
                        .mapToLong(Long::longValue)
                        .filter(t -> t >= nanos)
                        .min()
                        .orElse(Long.MAX_VALUE);
            }
        }

        long lastSaveBefore(String key, long nanos) {
            synchronized (saved.get(key)) {
                return saved.get(key).stream()
                        .mapToLong(Long::longValue)
                        .filter(t -> t < nanos)
                        .max()
                        .orElse(nanos);
            }
        }
    }
}
