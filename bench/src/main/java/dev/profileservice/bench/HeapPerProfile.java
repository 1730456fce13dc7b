package dev.profileservice.bench;

import static dev.profileservice.bench.Blocking.sleep;
import static dev.profileservice.bench.Profiles.keys;
import static dev.profileservice.bench.Profiles.releaseAll;
import static dev.profileservice.bench.Profiles.touch;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Heap bytes per active profile beyond its data, after forced GCs: (heap with n active profiles
 * minus heap before loading them) minus (heap once they are all released but their data objects
 * are still held, minus the same "before"). Both figures are taken with the service open, so
 * what the service itself holds cancels out.
 */
final class HeapPerProfile extends MacroMeasurement {

    HeapPerProfile(BackendRun run) {
        super("heap per active profile", run);
    }

    @Override
    void measure() {
        int n = settings.heapProfiles();
        try (CountedService creator = run.open("heap-creator")) {
            loadAll(run.store(creator, "heap"), keys("h", n)).forEach(p -> touch(p, 2));
        } // close() releases them all with a final save
        long before;
        long after;
        long dataOnly;
        // A short auto-save period, so the waits below (two periods, for saves and reads in flight to
        // finish and let go of released profiles) stay short.
        Duration period = Duration.ofSeconds(2);
        try (CountedService lib = run.open("heap", b -> b.autoSavePeriod(period))) {
            ProfileStore<Map<String, Object>> store = run.store(lib, "heap");
            // Warm the paths up (load and release) so one-time costs are not counted per profile.
            List<Profile<Map<String, Object>>> warm = loadAll(store, keys("w", 100));
            releaseAll(warm);
            warm = null;
            sleep(period.multipliedBy(2));
            before = usedHeapAfterGc();
            // Profiles with saved data (created by an earlier session), decoded from the store as on a real join.
            List<Profile<Map<String, Object>>> profiles = loadAll(store, keys("h", n));
            after = usedHeapAfterGc();
            List<Object> data = new ArrayList<>(n);
            profiles.forEach(p -> data.add(p.getData()));
            releaseAll(profiles);
            profiles = null;
            sleep(period.multipliedBy(2));
            dataOnly = usedHeapAfterGc();
            Reference.reachabilityFence(data);
        }
        long libraryDelta = after - before;
        long dataDelta = dataOnly - before;
        double perProfile = (double) (libraryDelta - dataDelta) / n;
        report.row(
                String.format(Locale.ROOT, "heap per active profile beyond its data (%,d profiles)", n),
                String.format(Locale.ROOT, "%,.0f bytes", perProfile),
                "—",
                "target < 2,048 bytes",
                "—");
        report.note(String.format(
                Locale.ROOT,
                "Heap: %,d active profiles took %,d bytes after forced GC; once released, their data "
                        + "objects alone (still referenced; measured two auto-save periods after the release, when the engine's timer "
                        + "has let go of the released profiles) took %,d bytes (%,d each).",
                n,
                libraryDelta,
                dataDelta,
                dataDelta / n));
    }

    /** Used heap after a forced full collection, in bytes. */
    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(60);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
