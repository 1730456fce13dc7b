package dev.profileservice.bench;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A storm of gifts to one popular profile (issue 13): two sender services with 16 threads each send
 * {@code stormGifts} gifts, one by one per thread, to one profile a third service holds and
 * processes with the README's pattern (lock each new Active update, apply and clear it once
 * Locked). Reports gifts per second until the last send returned, sender p50/p99, failed sends
 * (the target is 0) and how long after the last send the owner had applied every gift, and checks
 * that each was applied exactly once. Runs on the calling thread plus 32 sender threads.
 */
final class GiftStorm extends MacroMeasurement {
    private static final int SENDERS_PER_SERVICE = 16;

    GiftStorm(BackendRun run) {
        super("gift storm", run);
    }

    @Override
    void measure() {
        int total = settings.stormGifts();
        String key = "celebrity";
        Samples send = new Samples();
        AtomicInteger failed = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2 * SENDERS_PER_SERVICE);
        try (CountedService owner = run.open("owner");
                CountedService s1 = run.open("sender-1");
                CountedService s2 = run.open("sender-2")) {
            ProfileStore<Map<String, Object>> ownerStore = run.store(owner, "storm");
            Profile<Map<String, Object>> p = ownerStore
                    .loadProfile(key)
                    .orElseThrow(() -> new IllegalStateException("the owner's load of " + key + " returned empty"));
            AtomicLong applied = new AtomicLong();
            p.getGlobalUpdates()
                    .listenToNewActiveUpdate((id, data) -> p.getGlobalUpdates().lockActiveUpdate(id));
            p.getGlobalUpdates()
                    .listenToNewLockedUpdate((id, data) -> p.edit(d -> {
                        p.getGlobalUpdates().clearLockedUpdate(id);
                        d.put("gifts", ((Number) d.getOrDefault("gifts", 0L)).longValue() + 1);
                        applied.incrementAndGet();
                    }));
            List<ProfileStore<Map<String, Object>>> senders = List.of(run.store(s1, "storm"), run.store(s2, "storm"));
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            List<CompletableFuture<Void>> threads = new ArrayList<>();
            for (int t = 0; t < 2 * SENDERS_PER_SERVICE; t++) {
                ProfileStore<Map<String, Object>> sender = senders.get(t % 2);
                threads.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i; (i = next.getAndIncrement()) < total; ) {
                                long gift = i;
                                long start = System.nanoTime();
                                try {
                                    sender.globalUpdateProfile(
                                            key, u -> u.addActiveUpdate(Map.of("gift", gift, "coins", 1)));
                                    send.add(System.nanoTime() - start);
                                } catch (RuntimeException e) {
                                    failed.incrementAndGet();
                                    if (failures.size() < 3) {
                                        failures.add(String.valueOf(e));
                                    }
                                }
                            }
                        },
                        pool));
            }
            CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).join();
            long sent = System.nanoTime();
            int acknowledged = total - failed.get();
            long deadline = sent + TimeUnit.MINUTES.toNanos(2);
            while (applied.get() < acknowledged && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            long done = System.nanoTime();
            if (applied.get() != acknowledged) {
                throw new IllegalStateException(
                        "the owner applied " + applied.get() + " of " + acknowledged + " acknowledged gifts");
            }
            p.release();
            Map<String, Object> stored =
                    ownerStore.viewProfile(key).orElseThrow().getData();
            long storedGifts = ((Number) stored.getOrDefault("gifts", 0L)).longValue();
            if (storedGifts != acknowledged) {
                throw new IllegalStateException(
                        "the stored profile counts " + storedGifts + " gifts, not " + acknowledged);
            }
            double seconds = (sent - t0) / 1e9;
            report.row(
                    "gift storm: gifts/s to one online profile (32 senders on 2 services)",
                    String.format(Locale.ROOT, "%,.0f", acknowledged / seconds),
                    "—",
                    "—",
                    "—");
            report.row(
                    "gift storm: sender p50 / p99",
                    Samples.ms(send.percentile(50)) + " / " + Samples.ms(send.percentile(99)),
                    "—",
                    "—",
                    "—");
            report.row("gift storm: failed sends", Integer.toString(failed.get()), "—", "—", "—");
            report.row(
                    "gift storm: owner applied the last gift after the last send",
                    Samples.ms(done - sent),
                    "—",
                    "—",
                    "—");
            long sends = s1.backend().calls("sendUpdates") + s2.backend().calls("sendUpdates");
            report.note(String.format(
                    Locale.ROOT,
                    "Gift storm: %d gifts, %d acknowledged and each applied exactly once (the stored"
                            + " count matches); the two services sent them in %d store calls (%.1f gifts per call);"
                            + " the owner took them in with %d saves and %d reads of its updates%s.",
                    total,
                    acknowledged,
                    sends,
                    acknowledged / (double) Math.max(1, sends),
                    owner.backend().calls("save") + owner.backend().calls("saveBatch"),
                    owner.backend().calls("readUpdates"),
                    failures.isEmpty() ? "" : "; first failures: " + failures));
        } finally {
            pool.shutdownNow();
        }
    }
}
