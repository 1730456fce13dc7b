package dev.profileservice.bench;

import static dev.profileservice.bench.Blocking.await;
import static dev.profileservice.bench.Profiles.keys;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Hand-over p50/p99 and gift delivery p99, with A holding many auto-saving profiles. */
final class HandOverAndGifts extends MacroMeasurement {

    HandOverAndGifts(BackendRun run) {
        super("hand-over and gifts", run);
    }

    @Override
    void measure() {
        int held = settings.handOverHeld();
        Duration aPeriod = Duration.ofSeconds(5);
        List<String> keys = keys("a", held);
        Samples handOver = new Samples();
        Samples gift = new Samples();
        Samples send = new Samples();
        try (CountedService a = run.open("A", b -> b.autoSavePeriod(aPeriod));
                CountedService b = run.open("B")) {
            ProfileStore<Map<String, Object>> storeA = run.store(a, "handover");
            ProfileStore<Map<String, Object>> storeB = run.store(b, "handover");
            List<Profile<Map<String, Object>>> profiles = loadAll(storeA, keys);
            // Gift targets: the last giftKeys profiles of A, which are never handed over.
            int giftKeys = Math.min(settings.giftKeys(), held - settings.handOverSamples());
            if (giftKeys < 1) {
                throw new IllegalStateException("settings leave no profile for gifts");
            }
            Map<Long, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
            for (int g = 0; g < giftKeys; g++) {
                Profile<Map<String, Object>> p = profiles.get(held - 1 - g);
                p.getGlobalUpdates().listenToNewActiveUpdate((id, data) -> {
                    long now = System.nanoTime();
                    Object sample = data.get("sample");
                    if (sample instanceof Number number) {
                        CompletableFuture<Long> f = arrivals.get(number.longValue());
                        if (f != null) {
                            f.complete(now);
                        }
                    }
                    // What a game does with a gift: lock it, then apply and clear it once locked.
                    p.getGlobalUpdates().lockActiveUpdate(id);
                    p.save();
                });
                p.getGlobalUpdates()
                        .listenToNewLockedUpdate((id, data) -> p.edit(d -> {
                            p.getGlobalUpdates().clearLockedUpdate(id);
                            d.put("gifts", ((Number) d.getOrDefault("gifts", 0L)).longValue() + 1);
                        }));
            }
            try (ContinuousEditor editor = new ContinuousEditor(profiles, aPeriod.dividedBy(2))) {
                for (int i = 0; i < settings.handOverSamples(); i++) {
                    String key = keys.get(i);
                    long t0 = System.nanoTime();
                    Profile<Map<String, Object>> p = storeB.loadProfile(key, NotReleasedHandler.FORCE_LOAD)
                            .orElseThrow(
                                    () -> new IllegalStateException("B's FORCE_LOAD of " + key + " returned empty"));
                    handOver.add(System.nanoTime() - t0);
                    p.release();
                }
                for (int i = 0; i < settings.giftSamples(); i++) {
                    String key = keys.get(held - 1 - (i % giftKeys));
                    long sample = i;
                    CompletableFuture<Long> arrived = new CompletableFuture<>();
                    arrivals.put(sample, arrived);
                    long t0 = System.nanoTime();
                    storeB.globalUpdateProfile(key, u -> u.addActiveUpdate(Map.of("sample", sample, "coins", 100)))
                            .orElseThrow(() ->
                                    new IllegalStateException("B's globalUpdateProfile of " + key + " returned empty"));
                    send.add(System.nanoTime() - t0);
                    gift.add(await(arrived, "gift " + sample + " to " + key) - t0);
                    arrivals.remove(sample);
                }
            }
        }
        report.rowAgainstProfileService(
                "hand-over p50 (B's FORCE_LOAD while A holds " + held + " auto-saving profiles)",
                handOver.percentile(50),
                15e9,
                "~15 s mean, up to 30 s (waits for the owner's next auto-save)");
        report.rowAgainstProfileService("hand-over p99", handOver.percentile(99), 30e9, "up to 30 s");
        report.rowAgainstProfileService(
                "gift delivery p99 (B's globalUpdateProfile until A's listenToNewActiveUpdate)",
                gift.percentile(99),
                30e9,
                "at the owner's next auto-save: ~15 s mean, up to 30 s");
        report.note(String.format(
                Locale.ROOT,
                "Hand-over: %d samples, A's auto-save period %d s with every profile kept dirty. "
                        + "Gifts: %d samples over %d of A's profiles, p50 %s; B's globalUpdateProfile returned (durable) in p50 %s, p99 %s.",
                handOver.size(),
                aPeriod.toSeconds(),
                gift.size(),
                Math.min(settings.giftKeys(), held - settings.handOverSamples()),
                Samples.ms(gift.percentile(50)),
                Samples.ms(send.percentile(50)),
                Samples.ms(send.percentile(99))));
    }
}
