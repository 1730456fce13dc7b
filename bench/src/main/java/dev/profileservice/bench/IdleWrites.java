package dev.profileservice.bench;

import static dev.profileservice.bench.BackendReport.ratioToProfileService;
import static dev.profileservice.bench.Blocking.sleep;
import static dev.profileservice.bench.Profiles.keys;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Store writes per idle profile-hour, scaled to the default 30 s auto-save. */
final class IdleWrites extends MacroMeasurement {

    IdleWrites(BackendRun run) {
        super("idle writes", run);
    }

    @Override
    void measure() {
        int n = settings.idleProfiles();
        Duration period = settings.idlePeriod();
        Map<String, Long> before;
        Map<String, Long> after;
        long windowNanos;
        // A short lease too, so heartbeats show up in a short window (one per lease third); scaled to the default 30 s
        // below.
        Duration lease = period.multipliedBy(3);
        try (CountedService lib = run.open("idle", b -> b.autoSavePeriod(period).lease(lease))) {
            ProfileStore<Map<String, Object>> store = run.store(lib, "idle");
            List<Profile<Map<String, Object>>> profiles = loadAll(store, keys("i", n));
            sleep(period.multipliedBy(3));
            before = lib.backend().callsByOperation();
            long t0 = System.nanoTime();
            sleep(settings.idleWindow());
            after = lib.backend().callsByOperation();
            windowNanos = System.nanoTime() - t0;
            Reference.reachabilityFence(profiles);
        }
        double periods = windowNanos / (double) period.toNanos();
        long heartbeats = delta(after, before, "heartbeat");
        long profileWrites = 0;
        for (String op : List.of("acquire", "save", "sendUpdates", "quarantine", "forceRelease", "delete")) {
            profileWrites += delta(after, before, op);
        }
        // Profile writes happen per auto-save period: scale to 120 periods (one hour at 30 s).
        double perProfileHour = profileWrites / (double) n / periods * 120;
        // Heartbeats happen per lease third, independent of the period: scale by wall time and to the default 30 s
        // lease.
        double heartbeatsPerHour = heartbeats * 3_600e9 / windowNanos * lease.toMillis() / 30_000.0;
        report.row(
                String.format(Locale.ROOT, "store writes per idle profile-hour (%,d idle profiles)", n),
                String.format(
                        Locale.ROOT,
                        "%.1f (+ %.0f heartbeats per server-hour = %.2f per profile)",
                        perProfileHour,
                        heartbeatsPerHour,
                        heartbeatsPerHour / n),
                "—",
                ratioToProfileService(perProfileHour + heartbeatsPerHour / n, 120),
                "120 (a save every 30 s)");
        report.note(String.format(
                Locale.ROOT,
                "Idle writes: auto-save period %d ms and lease %d ms; %,d profile writes and %d "
                        + "heartbeats in %.1f s (%.1f periods) after 3 periods of settling; scaled to the defaults (30 s period, 30 s lease).",
                period.toMillis(),
                lease.toMillis(),
                profileWrites,
                heartbeats,
                windowNanos / 1e9,
                periods));
    }

    private static long delta(Map<String, Long> after, Map<String, Long> before, String op) {
        return after.getOrDefault(op, 0L) - before.getOrDefault(op, 0L);
    }
}
