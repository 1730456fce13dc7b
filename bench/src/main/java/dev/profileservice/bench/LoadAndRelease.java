package dev.profileservice.bench;

import static dev.profileservice.bench.BackendReport.perOp;
import static dev.profileservice.bench.BackendReport.ratio;
import static dev.profileservice.bench.Profiles.keys;
import static dev.profileservice.bench.Profiles.load;
import static dev.profileservice.bench.Profiles.touch;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.util.List;
import java.util.Map;

/** Load of an unowned profile (latency and round trips) and release latency. */
final class LoadAndRelease extends MacroMeasurement {

    LoadAndRelease(BackendRun run) {
        super("load / release", run);
    }

    @Override
    void measure() {
        int total = settings.loadWarmup() + settings.loadSamples();
        List<String> keys = keys("u", total);
        Samples load = new Samples();
        Samples release = new Samples();
        long loadTrips = 0;
        long releaseTrips = 0;
        try (CountedService lib = run.open("load")) {
            ProfileStore<Map<String, Object>> store = run.store(lib, "load");
            // Create the records (never measured): a released profile with saved data is the usual join.
            for (String key : keys) {
                Profile<Map<String, Object>> p = load(store, key);
                touch(p, 1);
                p.release();
            }
            run.rememberLibraryPayload(lib.backend().lastPayload());
            for (int i = 0; i < total; i++) {
                String key = keys.get(i);
                long r0 = roundTripsBesidesHeartbeat(lib.backend());
                long t0 = System.nanoTime();
                Profile<Map<String, Object>> p = store.loadProfile(key)
                        .orElseThrow(() -> new IllegalStateException("load of " + key + " returned empty"));
                long t1 = System.nanoTime();
                long r1 = roundTripsBesidesHeartbeat(lib.backend());
                touch(p, i);
                long t2 = System.nanoTime();
                p.release();
                long t3 = System.nanoTime();
                long r2 = roundTripsBesidesHeartbeat(lib.backend());
                if (i >= settings.loadWarmup()) {
                    load.add(t1 - t0);
                    release.add(t3 - t2);
                    loadTrips += r1 - r0;
                    releaseTrips += r2 - r1;
                }
            }
        }
        Samples rawLoad = new Samples();
        Samples rawRelease = new Samples();
        long rawLoadTrips = 0;
        long rawReleaseTrips = 0;
        byte[] payload = run.rawPayload();
        int payloadBytes = payload.length;
        try (RawStore raw = run.target().raw().apply(1)) {
            String described = raw.describe();
            raw.prepare(keys, payload);
            for (int i = 0; i < total; i++) {
                long r0 = raw.roundTrips();
                long t0 = System.nanoTime();
                RawStore.Session session = raw.acquire(keys.get(i), run.rawOwner());
                long t1 = System.nanoTime();
                long r1 = raw.roundTrips();
                Payloads.stamp(payload, i + 1);
                if (!raw.release(session, payload)) {
                    throw new IllegalStateException("raw release of " + keys.get(i) + " was refused");
                }
                long t2 = System.nanoTime();
                long r2 = raw.roundTrips();
                if (i >= settings.loadWarmup()) {
                    rawLoad.add(t1 - t0);
                    rawRelease.add(t2 - t1);
                    rawLoadTrips += r1 - r0;
                    rawReleaseTrips += r2 - r1;
                }
            }
            report.note("Raw baseline for load/release: " + described + ", one thread.");
        }
        int n = settings.loadSamples();
        report.note("Payload as the library saves it: " + payloadBytes + " bytes (profile data "
                + Payloads.jsonSize(run.template())
                + " bytes of JSON); the raw baseline writes a copy of it whose first 8 bytes "
                + "change on every write (an unchanged row is not rewritten by SQLite or InnoDB).");
        report.latencyRows(
                "load of an unowned profile",
                load,
                rawLoad,
                "one UpdateAsync; waits out the 7 s per-key write spacing if the key was written <7 s ago");
        report.row(
                "store round trips per load",
                perOp(loadTrips, n),
                perOp(rawLoadTrips, n),
                ratio((double) loadTrips / n, (double) rawLoadTrips / n),
                "1 (UpdateAsync)");
        report.latencyRows(
                "release (final save + unlock)",
                release,
                rawRelease,
                "one UpdateAsync, after the 7 s per-key write spacing");
        report.row(
                "store round trips per release",
                perOp(releaseTrips, n),
                perOp(rawReleaseTrips, n),
                ratio((double) releaseTrips / n, (double) rawReleaseTrips / n),
                "1 (UpdateAsync)");
    }

    private static long roundTripsBesidesHeartbeat(CountingBackend b) {
        return b.roundTrips() - b.roundTrips("heartbeat");
    }
}
