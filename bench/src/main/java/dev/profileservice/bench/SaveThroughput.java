package dev.profileservice.bench;

import static dev.profileservice.bench.BackendReport.ratio;
import static dev.profileservice.bench.Blocking.await;
import static dev.profileservice.bench.Blocking.sleep;
import static dev.profileservice.bench.Profiles.keys;

import dev.profileservice.Profile;
import dev.profileservice.ProfileServiceSettings;
import dev.profileservice.ProfileStore;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * Save throughput with {@code n} active, continuously dirty profiles, against the raw loop at the
 * same concurrency. The raw loop runs first, with as many threads as the library can have saves
 * at the store at once (its pool size for JDBC; its 64 I/O threads on one multiplexed connection
 * for Redis); then the library's auto-save period is set to ask for 1.5 times the raw rate, so
 * saves are continuous and the store, not the period, is the limit.
 */
final class SaveThroughput extends MacroMeasurement {

    /** Active, continuously dirty profiles. */
    private final int n;

    SaveThroughput(BackendRun run, int n) {
        super("save throughput, " + n + " active", run);
        this.n = n;
    }

    @Override
    void measure() {
        List<String> keys = keys("s" + n, n);
        int concurrency = run.target().concurrency();
        byte[] payload = run.rawPayload();
        double rawRate;
        long rawCpu;
        long rawSaves;
        String rawDescription;
        try (RawStore raw = run.target().raw().apply(concurrency)) {
            rawDescription = raw.describe();
            raw.prepare(keys, payload);
            RawStore.Session[] sessions = new RawStore.Session[n];
            String owner = run.rawOwner();
            Workers.start(concurrency, "macrobench-worker-", w -> {
                        for (int i = w; i < n; i += concurrency) {
                            sessions[i] = raw.acquire(keys.get(i), owner);
                        }
                    })
                    .join("raw acquire workers");
            LongAdder count = new LongAdder();
            AtomicBoolean counting = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            // Worker w saves profiles w, w + concurrency, w + 2 * concurrency, ... round and round until stopped.
            Workers savers = Workers.start(concurrency, "macrobench-raw-", worker -> {
                int i = worker;
                byte[] mine = payload.clone();
                long version = 0;
                while (!stop.get()) {
                    Payloads.stamp(mine, ++version);
                    if (!raw.save(sessions[i], mine)) {
                        throw new IllegalStateException("raw save of " + keys.get(i) + " was refused");
                    }
                    if (counting.get()) {
                        count.increment();
                    }
                    i += concurrency;
                    if (i >= n) {
                        i = worker;
                    }
                }
            });
            sleep(settings.saveWarmup());
            counting.set(true);
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            sleep(settings.saveWindow());
            counting.set(false);
            long t1 = System.nanoTime();
            rawCpu = processCpuNanos() - cpu0;
            stop.set(true);
            savers.join("raw save loop");
            rawRate = count.sum() / ((t1 - t0) / 1e9);
            rawSaves = count.sum();
            if (raw instanceof RawJdbcStore jdbc && jdbc.busyRetries() > 0) {
                report.note("The raw SQLite loop retried " + jdbc.busyRetries() + " write(s) that hit SQLITE_BUSY.");
            }
        }

        Duration period = Duration.ofMillis(Math.max(5, Math.round(n * 1000 / (1.5 * Math.max(rawRate, 1)))));
        double libRate;
        long libCpu;
        int inFlight;
        long saves;
        long storeCalls;
        // the lease at least the period: build() refuses an auto-save period longer than the lease
        Duration lease = period.compareTo(ProfileServiceSettings.DEFAULT_LEASE) > 0
                ? period
                : ProfileServiceSettings.DEFAULT_LEASE;
        try (CountedService lib =
                run.open("save" + n, b -> b.autoSavePeriod(period).lease(lease))) {
            ProfileStore<Map<String, Object>> store = run.store(lib, "save" + n);
            List<Profile<Map<String, Object>>> profiles = loadAll(store, keys);
            try (ContinuousEditor editor = new ContinuousEditor(profiles, period.dividedBy(2))) {
                sleep(settings.saveWarmup());
                long c0 = lib.backend().savedOk();
                long calls0 = saveCalls(lib.backend());
                lib.backend().takeMaxSavesInFlight();
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                sleep(settings.saveWindow());
                long c1 = lib.backend().savedOk();
                long t1 = System.nanoTime();
                storeCalls = saveCalls(lib.backend()) - calls0;
                libCpu = processCpuNanos() - cpu0;
                inFlight = lib.backend().takeMaxSavesInFlight();
                saves = c1 - c0;
                libRate = saves / ((t1 - t0) / 1e9);
            }
        }
        String psOwn = String.format(
                Locale.ROOT,
                "%,.0f /s by its 30 s auto-save; at most %,.0f /s by the 7 s per-key spacing",
                n / 30.0,
                n / 7.0);
        report.row(
                String.format(
                        Locale.ROOT, "save throughput, %,d active dirty profiles (concurrency %d)", n, concurrency),
                String.format(Locale.ROOT, "%,.0f saves/s", libRate),
                String.format(Locale.ROOT, "%,.0f saves/s", rawRate),
                ratio(libRate, rawRate),
                psOwn);
        report.note(String.format(
                Locale.ROOT,
                "Save throughput with %,d profiles: raw loop (%s) with %d threads first; then the "
                        + "library with auto-save period %d ms (asks for %,.0f saves/s = 1.5 × raw), every profile edited every %d ms; "
                        + "%,d library saves counted in %.1f s after %.1f s warm-up, at most %d in flight at once, "
                        + "in %,d store calls (%.1f saves per call: the engine's batches).",
                n,
                rawDescription,
                concurrency,
                period.toMillis(),
                n * 1000.0 / period.toMillis(),
                Math.max(1, period.toMillis() / 2),
                saves,
                settings.saveWindow().toMillis() / 1e3,
                settings.saveWarmup().toMillis() / 1e3,
                inFlight,
                storeCalls,
                storeCalls == 0 ? 0 : (double) saves / storeCalls));
        report.note(String.format(
                Locale.ROOT,
                "CPU of this JVM per save with %,d profiles (the store server shares the same cores): "
                        + "library %.0f µs (auto-save ticks, encoding, engine, driver, and the editor thread), raw loop %.0f µs (driver only).",
                n,
                saves == 0 ? 0 : libCpu / 1e3 / saves,
                rawSaves == 0 ? 0 : rawCpu / 1e3 / rawSaves));
    }

    /** CPU time used by this JVM so far, in nanoseconds (0 where the JVM does not tell). */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** Store calls that saved: one per single save, one per batch however many it carried. */
    private static long saveCalls(CountingBackend backend) {
        return backend.calls("save") + backend.calls("saveBatch");
    }

    /** Daemon threads running one body each (given its index); the first one to fail fails them all at {@link #join}. */
    private static final class Workers {
        private final CountDownLatch done;
        private final List<Throwable> errors = new CopyOnWriteArrayList<>();

        private Workers(int threads) {
            done = new CountDownLatch(threads);
        }

        static Workers start(int threads, String namePrefix, IntConsumer body) {
            Workers workers = new Workers(threads);
            for (int w = 0; w < threads; w++) {
                int worker = w;
                Thread t = new Thread(
                        () -> {
                            try {
                                body.accept(worker);
                            } catch (Throwable e) {
                                workers.errors.add(e);
                            } finally {
                                workers.done.countDown();
                            }
                        },
                        namePrefix + w);
                t.setDaemon(true);
                t.start();
            }
            return workers;
        }

        /** Waits for every thread to end; throws the first failure, named {@code what}. */
        void join(String what) {
            await(done, what);
            if (!errors.isEmpty()) {
                throw new IllegalStateException(what + " failed: " + errors.get(0), errors.get(0));
            }
        }
    }
}
