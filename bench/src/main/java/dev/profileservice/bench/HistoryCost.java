package dev.profileservice.bench;

import static dev.profileservice.bench.BackendReport.ratio;
import static dev.profileservice.bench.Blocking.sleep;
import static dev.profileservice.bench.Profiles.keys;

import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.SortDirection;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.spi.VersionPage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the version history costs (issue 14): save throughput with every save kept as a version
 * against history off, the bytes a profile writes per hour with and without history at the default
 * spacing (30 s auto-save, a version at most every 5 minutes, run 100 times faster), and the time to
 * page through 1,000 versions of one profile.
 */
final class HistoryCost extends MacroMeasurement {
    /** Versions of the one profile the query measurement pages through. */
    private static final int QUERY_VERSIONS = 1_000;
    /** How much faster than real time the bytes-per-hour run goes. */
    private static final int SPEED_UP = 100;

    private final int n;

    HistoryCost(BackendRun run, int n) {
        super("history cost", run);
        this.n = n;
    }

    @Override
    void measure() {
        // Off, one in ten and every save kept, in turn, several rounds: a machine whose load drifts
        // (other builds on the same cores) then weighs on every mode alike, and each ratio is taken
        // within one round.
        int rounds = settings.mode().equals("quick") ? 1 : 3;
        List<Throughput> off = new ArrayList<>();
        List<Throughput> tenth = new ArrayList<>();
        List<Throughput> every = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Throughput o = throughput("off" + round, b -> b.versionHistory(false));
            off.add(o);
            // The default spacing, 30 s auto-save and a version at most every 5 minutes, keeps one
            // save in ten. The interval is ten times how often each profile was actually saved with
            // history off in this round: the store, not the asked auto-save period, sets that pace
            // (ten auto-save periods kept one save in two on a store slower than the period asks).
            Duration eachProfileSaved = Duration.ofNanos((long) (n * 1e9 / Math.max(1, o.savesPerSecond())));
            tenth.add(throughput("tenth" + round, b -> b.versionInterval(eachProfileSaved.multipliedBy(10))));
            every.add(throughput("every" + round, b -> b.versionInterval(Duration.ofMillis(1))));
        }
        row("about one save in ten kept as a version (the default spacing", tenth, off, "target ≥ 0.8");
        row("every save kept as a version (worst case", every, off, "each kept version writes the payload twice");
        bytesPerProfileHour();
        query();
    }

    /** One row: the median of {@code with}'s rounds against the median with history off, and each round's ratio. */
    private void row(String what, List<Throughput> with, List<Throughput> off, String note) {
        long saves = with.stream().mapToLong(Throughput::saves).sum();
        long kept = with.stream().mapToLong(Throughput::kept).sum();
        StringBuilder rounds = new StringBuilder();
        for (int i = 0; i < with.size(); i++) {
            rounds.append(i == 0 ? "" : " / ")
                    .append(ratio(with.get(i).savesPerSecond(), off.get(i).savesPerSecond()));
        }
        report.row(
                String.format(
                        Locale.ROOT,
                        "save throughput, %s; %s), %,d active, median of %d rounds",
                        what,
                        Throughput.keptShare(saves, kept),
                        n,
                        with.size()),
                String.format(Locale.ROOT, "%,.0f saves/s", median(with)),
                String.format(Locale.ROOT, "%,.0f saves/s (history off)", median(off)),
                ratio(median(with), median(off)),
                note + (with.size() > 1 ? "; rounds " + rounds : ""));
    }

    private static double median(List<Throughput> runs) {
        double[] v =
                runs.stream().mapToDouble(Throughput::savesPerSecond).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** An auto-save period that asks 20,000 saves/s of {@code n} profiles: the store, not the period, is the limit. */
    private Duration autoSavePeriod() {
        return Duration.ofMillis(Math.max(5, n / 20));
    }

    /** Saves per second in the measured window, and how many of those saves the store kept as versions. */
    private record Throughput(double savesPerSecond, long saves, long kept) {
        static String keptShare(long saves, long kept) {
            return kept == 0 ? "none kept" : String.format(Locale.ROOT, "1 in %.1f kept", saves / (double) kept);
        }
    }

    /** Saves per second of {@code n} continuously dirty profiles with auto-saves asked for faster than the store can go. */
    private Throughput throughput(String role, Consumer<ProfileService.Builder> history) {
        List<String> keys = keys("h" + role + n, n);
        Duration period = autoSavePeriod();
        try (CountedService lib = run.open("history-" + role + n, b -> {
            b.autoSavePeriod(period);
            history.accept(b);
        })) {
            ProfileStore<Map<String, Object>> store = run.store(lib, "history" + role + n);
            List<Profile<Map<String, Object>>> profiles = loadAll(store, keys);
            try (ContinuousEditor editor = new ContinuousEditor(profiles, period.dividedBy(2))) {
                sleep(settings.saveWarmup());
                long c0 = lib.backend().savedOk();
                long k0 = lib.backend().keptOk();
                long t0 = System.nanoTime();
                sleep(settings.saveWindow());
                long c1 = lib.backend().savedOk();
                long k1 = lib.backend().keptOk();
                long t1 = System.nanoTime();
                return new Throughput((c1 - c0) / ((t1 - t0) / 1e9), c1 - c0, k1 - k0);
            }
        }
    }

    /**
     * The default spacing run {@link #SPEED_UP} times faster: auto-save every 300 ms, a version at
     * most every 3 s, every profile edited all the time; bytes are payload bytes written by saves,
     * and by versions as the store kept them, scaled to one profile-hour.
     */
    private void bytesPerProfileHour() {
        int profiles = Math.min(n, 200);
        List<String> keys = keys("hbytes" + n, profiles);
        Duration autoSave = Duration.ofSeconds(30).dividedBy(SPEED_UP);
        Duration interval = Duration.ofMinutes(5).dividedBy(SPEED_UP);
        // long enough for several version intervals, whatever the mode's save window
        Duration window = Duration.ofSeconds(settings.mode().equals("quick") ? 7 : 30);
        String storeName;
        long saves;
        long versionBytes = 0;
        long versions = 0;
        int payloadBytes;
        try (CountedService lib =
                run.open("history-bytes", b -> b.autoSavePeriod(autoSave).versionInterval(interval))) {
            ProfileStore<Map<String, Object>> store = run.store(lib, "historybytes" + n);
            storeName = store.getName();
            List<Profile<Map<String, Object>>> loaded = loadAll(store, keys);
            try (ContinuousEditor editor = new ContinuousEditor(loaded, autoSave.dividedBy(2))) {
                long c0 = lib.backend().savedOk();
                sleep(window);
                saves = lib.backend().savedOk() - c0;
            }
            VersionHistory h = lib.backend().history().orElseThrow();
            payloadBytes = lib.backend().read(storeName, keys.get(0)).payload().length;
            for (String key : keys) {
                for (StoredVersion v : h.versions(storeName, key, VersionPage.oldestFirst(10_000))) {
                    versions++;
                    versionBytes += v.size();
                }
            }
        }
        double hours = window.toMillis() * (double) SPEED_UP / 3_600_000.0;
        double perProfileHour = 1.0 / profiles / hours;
        double saveBytes = (double) saves * payloadBytes * perProfileHour;
        double keptBytes = versionBytes * perProfileHour;
        report.row(
                "bytes written per profile-hour, default spacing (30 s auto-save, a version every 5 min)",
                String.format(Locale.ROOT, "%,.0f KB with history", (saveBytes + keptBytes) / 1024),
                String.format(Locale.ROOT, "%,.0f KB without", saveBytes / 1024),
                ratio(saveBytes + keptBytes, saveBytes),
                String.format(Locale.ROOT, "payload %,d bytes", payloadBytes));
        report.note(String.format(
                Locale.ROOT,
                "History bytes: %d profiles edited all the time for %.1f s at %d× speed (auto-save %d ms, version interval"
                        + " %d ms) = %.2f profile-hours each; %,d saves and %,d kept versions (%.1f per profile-hour)"
                        + " of %,d-byte payloads. Versions are kept in the save's own write, so they add bytes, not round trips.",
                profiles,
                window.toMillis() / 1e3,
                SPEED_UP,
                autoSave.toMillis(),
                interval.toMillis(),
                hours,
                saves,
                versions,
                versions * perProfileHour,
                payloadBytes));
    }

    /** One profile with {@link #QUERY_VERSIONS} kept versions: the whole query, its first page newest first, and one view. */
    private void query() {
        try (CountedService lib = run.open("history-query")) {
            ProfileStore<Map<String, Object>> store = run.store(lib, "historyquery");
            String key = "q-" + n;
            Backend backend = lib.backend();
            Owner me = new Owner("bench-history-" + n, "bench", "bench");
            store.loadProfile(key).orElseThrow().release(); // a payload as the library writes it
            String written = new String(backend.read(store.getName(), key).payload(), StandardCharsets.UTF_8);
            if (!written.contains("\"loads\":1")) {
                throw new IllegalStateException("the library's payload has no \"loads\":1 to vary: " + written);
            }
            long epoch = backend.acquire(store.getName(), key, me, -1, new byte[0])
                    .record()
                    .epoch();
            for (int i = 0; i < QUERY_VERSIONS; i++) {
                // each version a valid payload of its own
                byte[] payload =
                        written.replace("\"loads\":1", "\"loads\":" + (i + 2)).getBytes(StandardCharsets.UTF_8);
                backend.save(
                        store.getName(),
                        key,
                        new SaveRequest(
                                me.serverId(), epoch, payload, i == QUERY_VERSIONS - 1, List.of(), VersionCause.SAVE));
            }
            long t0 = System.nanoTime();
            var all = store.profileVersionQuery(key);
            int seen = 0;
            String middle = null;
            for (Optional<Profile<Map<String, Object>>> v; (v = all.next()).isPresent(); ) {
                if (++seen == QUERY_VERSIONS / 2) {
                    middle = v.get().getKeyInfo().version();
                }
            }
            long t1 = System.nanoTime();
            var newest = store.profileVersionQuery(key, SortDirection.DESCENDING, null, null);
            for (int i = 0; i < 10; i++) {
                newest.next();
            }
            long t2 = System.nanoTime();
            store.viewProfile(key, middle).orElseThrow();
            long t3 = System.nanoTime();
            if (seen != QUERY_VERSIONS + 1) { // and the version the first release kept
                throw new IllegalStateException(
                        "the query returned " + seen + " of " + (QUERY_VERSIONS + 1) + " versions");
            }
            report.row(
                    String.format(
                            Locale.ROOT, "version query over %,d versions of one profile (every view decoded)", seen),
                    String.format(Locale.ROOT, "%.0f ms", (t1 - t0) / 1e6),
                    "",
                    "",
                    String.format(
                            Locale.ROOT,
                            "newest 10: %.1f ms; viewProfile(key, version): %.1f ms",
                            (t2 - t1) / 1e6,
                            (t3 - t2) / 1e6));
        }
    }
}
