package dev.profileservice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendUris;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.ServerLease;

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import static dev.profileservice.bench.BackendReport.perOp;
import static dev.profileservice.bench.BackendReport.ratio;
import static dev.profileservice.bench.BackendReport.ratioToProfileService;

/**
 * Every macro measurement against one backend, library and raw baseline, collected into rows of a
 * markdown table. A measurement that throws becomes a FAILED row and the others still run.
 * Runs on the calling thread (plus helper threads it starts and stops).
 */
final class BackendBench {

    /** Size of the profile data used throughout (plain JSON of the data alone). */
    static final int PROFILE_BYTES = 2_048;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final MacroBench.Target target;
    private final MacroBench.Settings s;
    private final String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final Map<String, Object> template = Payloads.profile(PROFILE_BYTES);
    private final BackendReport report;
    private final List<String> storesUsed = new ArrayList<>();
    /** A payload exactly as the library saved it, for the raw baseline to write. */
    private byte[] libraryPayload;

    BackendBench(MacroBench.Target target, MacroBench.Settings settings) {
        this.target = target;
        this.s = settings;
        this.report = new BackendReport(target);
    }

    int failures() {
        return report.failures();
    }

    void run() {
        measure("load / release", this::loadAndRelease);
        for (int n : s.saveCounts()) {
            measure("save throughput, " + n + " active", () -> saveThroughput(n));
        }
        measure("heap per active profile", this::heap);
        measure("hand-over and gifts", this::handOverAndGifts);
        measure("dead-owner steal", this::steal);
        measure("idle writes", this::idleWrites);
        cleanUp();
    }

    private void measure(String what, Runnable body) {
        long t0 = System.nanoTime();
        System.out.println("  " + what + " ...");
        try {
            body.run();
            System.out.printf(Locale.ROOT, "  %s done in %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException | Error e) {
            report.failed(what, e);
            System.err.println("  " + what + " FAILED on " + target.name());
            e.printStackTrace();
        }
    }

    // ---------------------------------------------------------------- library plumbing

    /** A service over a counting decorator of a freshly opened backend. */
    record Lib(ProfileService service, CountingBackend backend) implements AutoCloseable {
        @Override
        public void close() {
            service.close();
        }
    }

    private Lib open(String role, Consumer<ProfileService.Builder> settings) {
        CountingBackend backend = new CountingBackend(Backends.open(target.libraryUri()));
        ProfileService.Builder builder = ProfileService.builder()
                .backend(backend)
                .placeId("bench")
                .jobId("bench-" + runId + "-" + role);
        settings.accept(builder);
        return new Lib(builder.build(), backend);
    }

    private ProfileStore<Map<String, Object>> store(Lib lib, String name) {
        String full = "B" + runId + "_" + name;
        if (!storesUsed.contains(full)) {
            storesUsed.add(full);
        }
        return lib.service().getProfileStore(full, template);
    }

    private static List<String> keys(String prefix, int n) {
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(prefix + "-" + i);
        }
        return keys;
    }

    private static Profile<Map<String, Object>> load(ProfileStore<Map<String, Object>> store, String key) {
        return await(store.loadProfileAsync(key, NotReleasedHandler.FORCE_LOAD), "load of " + key)
                .orElseThrow(() -> new IllegalStateException("load of " + key + " returned empty"));
    }

    private static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(what + " did not finish within " + TIMEOUT, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }

    /** Loads every key, {@code loadParallelism} loads in flight at once. */
    private List<Profile<Map<String, Object>>> loadAll(ProfileStore<Map<String, Object>> store, List<String> keys) {
        Semaphore inFlight = new Semaphore(s.loadParallelism());
        List<CompletableFuture<Optional<Profile<Map<String, Object>>>>> futures = new ArrayList<>(keys.size());
        for (String key : keys) {
            try {
                if (!inFlight.tryAcquire(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("no load of " + s.loadParallelism() + " in flight finished within "
                            + TIMEOUT + " (loading " + keys.size() + " profiles)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            CompletableFuture<Optional<Profile<Map<String, Object>>>> f = store.loadProfileAsync(key, NotReleasedHandler.FORCE_LOAD);
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

    private static void touch(Profile<Map<String, Object>> p, long n) {
        p.edit(data -> data.put("coins", n));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long roundTripsBesidesHeartbeat(CountingBackend b) {
        return b.roundTrips() - b.roundTrips("heartbeat");
    }

    /** Keeps every profile dirty: edits each one every {@code pass}, on its own thread. */
    private static final class Editor implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Editor(List<Profile<Map<String, Object>>> profiles, Duration pass) {
            thread = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    long start = System.nanoTime();
                    n++;
                    for (Profile<Map<String, Object>> p : profiles) {
                        if (p.isActive()) {
                            try {
                                touch(p, n);
                            } catch (IllegalStateException released) {
                                // released between isActive() and edit(): fine
                            }
                        }
                    }
                    long rest = pass.toNanos() - (System.nanoTime() - start);
                    if (rest > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(rest);
                    }
                }
            }, "macrobench-editor");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A copy of a payload as the library saved it, for the raw baseline to write (same size, same kind of bytes). */
    private byte[] rawPayload() {
        return (libraryPayload != null ? libraryPayload : Payloads.json(template)).clone();
    }

    /**
     * Makes {@code payload} differ from the last one written, as the library's do (every save
     * carries an edit). This matters: SQLite and InnoDB skip writing a row whose bytes did not
     * change, so a raw loop writing the same bytes over and over would measure no writes at all.
     */
    static void stamp(byte[] payload, long version) {
        for (int b = 0; b < 8 && b < payload.length; b++) {
            payload[b] = (byte) (version >>> (8 * b));
        }
    }

    // ---------------------------------------------------------------- measurements

    /** Load of an unowned profile (latency and round trips) and release latency. */
    private void loadAndRelease() {
        int total = s.loadWarmup() + s.loadSamples();
        List<String> keys = keys("u", total);
        Samples load = new Samples();
        Samples release = new Samples();
        long loadTrips = 0;
        long releaseTrips = 0;
        try (Lib lib = open("load", b -> { })) {
            ProfileStore<Map<String, Object>> store = store(lib, "load");
            // Create the records (never measured): a released profile with saved data is the usual join.
            for (String key : keys) {
                Profile<Map<String, Object>> p = load(store, key);
                touch(p, 1);
                p.release();
            }
            libraryPayload = lib.backend().lastPayload();
            for (int i = 0; i < total; i++) {
                String key = keys.get(i);
                long r0 = roundTripsBesidesHeartbeat(lib.backend());
                long t0 = System.nanoTime();
                Profile<Map<String, Object>> p = store.loadProfile(key).orElseThrow(
                        () -> new IllegalStateException("load of " + key + " returned empty"));
                long t1 = System.nanoTime();
                long r1 = roundTripsBesidesHeartbeat(lib.backend());
                touch(p, i);
                long t2 = System.nanoTime();
                p.release();
                long t3 = System.nanoTime();
                long r2 = roundTripsBesidesHeartbeat(lib.backend());
                if (i >= s.loadWarmup()) {
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
        byte[] payload = rawPayload();
        int payloadBytes = payload.length;
        try (RawStore raw = target.raw().apply(1)) {
            String described = raw.describe();
            raw.prepare(keys, payload);
            for (int i = 0; i < total; i++) {
                long r0 = raw.roundTrips();
                long t0 = System.nanoTime();
                RawStore.Session session = raw.acquire(keys.get(i), "raw-" + runId);
                long t1 = System.nanoTime();
                long r1 = raw.roundTrips();
                stamp(payload, i + 1);
                if (!raw.release(session, payload)) {
                    throw new IllegalStateException("raw release of " + keys.get(i) + " was refused");
                }
                long t2 = System.nanoTime();
                long r2 = raw.roundTrips();
                if (i >= s.loadWarmup()) {
                    rawLoad.add(t1 - t0);
                    rawRelease.add(t2 - t1);
                    rawLoadTrips += r1 - r0;
                    rawReleaseTrips += r2 - r1;
                }
            }
            report.note("Raw baseline for load/release: " + described + ", one thread.");
        }
        int n = s.loadSamples();
        report.note("Payload as the library saves it: " + payloadBytes + " bytes (profile data "
                + Payloads.jsonSize(template) + " bytes of JSON); the raw baseline writes a copy of it whose first 8 bytes "
                + "change on every write (an unchanged row is not rewritten by SQLite or InnoDB).");
        report.latencyRows("load of an unowned profile", load, rawLoad,
                "one UpdateAsync; waits out the 7 s per-key write spacing if the key was written <7 s ago");
        report.row("store round trips per load", perOp(loadTrips, n), perOp(rawLoadTrips, n),
                ratio((double) loadTrips / n, (double) rawLoadTrips / n), "1 (UpdateAsync)");
        report.latencyRows("release (final save + unlock)", release, rawRelease,
                "one UpdateAsync, after the 7 s per-key write spacing");
        report.row("store round trips per release", perOp(releaseTrips, n), perOp(rawReleaseTrips, n),
                ratio((double) releaseTrips / n, (double) rawReleaseTrips / n), "1 (UpdateAsync)");
    }

    /**
     * Save throughput with {@code n} active, continuously dirty profiles, against the raw loop at the
     * same concurrency. The raw loop runs first, with as many threads as the library can have saves
     * at the store at once (its pool size for JDBC; its 64 I/O threads on one multiplexed connection
     * for Redis); then the library's auto-save period is set to ask for 1.5 times the raw rate, so
     * saves are continuous and the store, not the period, is the limit.
     */
    private void saveThroughput(int n) {
        List<String> keys = keys("s" + n, n);
        int concurrency = target.concurrency();
        byte[] payload = rawPayload();
        double rawRate;
        long rawCpu;
        long rawSaves;
        String rawDescription;
        try (RawStore raw = target.raw().apply(concurrency)) {
            rawDescription = raw.describe();
            raw.prepare(keys, payload);
            RawStore.Session[] sessions = new RawStore.Session[n];
            String owner = "raw-" + runId;
            runThreads(concurrency, w -> {
                for (int i = w; i < n; i += concurrency) {
                    sessions[i] = raw.acquire(keys.get(i), owner);
                }
            });
            LongAdder count = new LongAdder();
            AtomicBoolean counting = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(concurrency);
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                int worker = w;
                Thread t = new Thread(() -> {
                    try {
                        int i = worker;
                        byte[] mine = payload.clone();
                        long version = 0;
                        while (!stop.get()) {
                            stamp(mine, ++version);
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
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        done.countDown();
                    }
                }, "macrobench-raw-" + w);
                t.setDaemon(true);
                t.start();
            }
            sleep(s.saveWarmup());
            counting.set(true);
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            sleep(s.saveWindow());
            counting.set(false);
            long t1 = System.nanoTime();
            rawCpu = processCpuNanos() - cpu0;
            stop.set(true);
            awaitLatch(done, "raw save workers");
            if (!errors.isEmpty()) {
                throw new IllegalStateException("raw save loop failed: " + errors.get(0), errors.get(0));
            }
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
        try (Lib lib = open("save" + n, b -> b.autoSavePeriod(period))) {
            ProfileStore<Map<String, Object>> store = store(lib, "save" + n);
            List<Profile<Map<String, Object>>> profiles = loadAll(store, keys);
            try (Editor editor = new Editor(profiles, period.dividedBy(2))) {
                sleep(s.saveWarmup());
                long c0 = lib.backend().savedOk();
                long calls0 = lib.backend().calls("save") + lib.backend().calls("saveBatch");
                lib.backend().takeMaxSavesInFlight();
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                sleep(s.saveWindow());
                long c1 = lib.backend().savedOk();
                long t1 = System.nanoTime();
                storeCalls = lib.backend().calls("save") + lib.backend().calls("saveBatch") - calls0;
                libCpu = processCpuNanos() - cpu0;
                inFlight = lib.backend().takeMaxSavesInFlight();
                saves = c1 - c0;
                libRate = saves / ((t1 - t0) / 1e9);
            }
        }
        String psOwn = String.format(Locale.ROOT, "%,.0f /s by its 30 s auto-save; at most %,.0f /s by the 7 s per-key spacing",
                n / 30.0, n / 7.0);
        report.row(String.format(Locale.ROOT, "save throughput, %,d active dirty profiles (concurrency %d)", n, concurrency),
                String.format(Locale.ROOT, "%,.0f saves/s", libRate), String.format(Locale.ROOT, "%,.0f saves/s", rawRate),
                ratio(libRate, rawRate), psOwn);
        report.note(String.format(Locale.ROOT, "Save throughput with %,d profiles: raw loop (%s) with %d threads first; then the "
                        + "library with auto-save period %d ms (asks for %,.0f saves/s = 1.5 × raw), every profile edited every %d ms; "
                        + "%,d library saves counted in %.1f s after %.1f s warm-up, at most %d in flight at once, "
                        + "in %,d store calls (%.1f saves per call: the engine's batches).",
                n, rawDescription, concurrency, period.toMillis(), n * 1000.0 / period.toMillis(), Math.max(1, period.toMillis() / 2),
                saves, s.saveWindow().toMillis() / 1e3, s.saveWarmup().toMillis() / 1e3, inFlight,
                storeCalls, storeCalls == 0 ? 0 : (double) saves / storeCalls));
        report.note(String.format(Locale.ROOT, "CPU of this JVM per save with %,d profiles (the store server shares the same cores): "
                        + "library %.0f µs (auto-save ticks, encoding, engine, driver, and the editor thread), raw loop %.0f µs (driver only).",
                n, saves == 0 ? 0 : libCpu / 1e3 / saves, rawSaves == 0 ? 0 : rawCpu / 1e3 / rawSaves));
    }

    /** CPU time used by this JVM so far, in nanoseconds (0 where the JVM does not tell). */
    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static void runThreads(int threads, java.util.function.IntConsumer body) {
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(threads);
        for (int w = 0; w < threads; w++) {
            int worker = w;
            Thread t = new Thread(() -> {
                try {
                    body.accept(worker);
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            }, "macrobench-worker-" + w);
            t.setDaemon(true);
            t.start();
        }
        awaitLatch(done, "workers");
        if (!errors.isEmpty()) {
            throw new IllegalStateException("worker failed: " + errors.get(0), errors.get(0));
        }
    }

    private static void awaitLatch(CountDownLatch latch, String what) {
        try {
            if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(what + " did not finish within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }

    /**
     * Heap bytes per active profile beyond its data, after forced GCs: (heap with n active profiles
     * minus heap before loading them) minus (heap once they are all released but their data objects
     * are still held, minus the same "before"). Both figures are taken with the service open, so
     * what the service itself holds cancels out.
     */
    private void heap() {
        int n = s.heapProfiles();
        try (Lib creator = open("heap-creator", b -> { })) {
            loadAll(store(creator, "heap"), keys("h", n)).forEach(p -> touch(p, 2));
        } // close() releases them all with a final save
        long before;
        long after;
        long dataOnly;
        // A short auto-save period, so the waits below (two periods, for saves and reads in flight to
        // finish and let go of released profiles) stay short.
        Duration period = Duration.ofSeconds(2);
        try (Lib lib = open("heap", b -> b.autoSavePeriod(period))) {
            ProfileStore<Map<String, Object>> store = store(lib, "heap");
            // Warm the paths up (load and release) so one-time costs are not counted per profile.
            List<Profile<Map<String, Object>>> warm = loadAll(store, keys("w", 100));
            releaseAll(warm);
            warm = null;
            sleep(period.multipliedBy(2));
            before = MacroBench.usedHeapAfterGc();
            // Profiles with saved data (created by an earlier session), decoded from the store as on a real join.
            List<Profile<Map<String, Object>>> profiles = loadAll(store, keys("h", n));
            after = MacroBench.usedHeapAfterGc();
            List<Object> data = new ArrayList<>(n);
            profiles.forEach(p -> data.add(p.getData()));
            releaseAll(profiles);
            profiles = null;
            sleep(period.multipliedBy(2));
            dataOnly = MacroBench.usedHeapAfterGc();
            Reference.reachabilityFence(data);
        }
        long libraryDelta = after - before;
        long dataDelta = dataOnly - before;
        double perProfile = (double) (libraryDelta - dataDelta) / n;
        report.row(String.format(Locale.ROOT, "heap per active profile beyond its data (%,d profiles)", n),
                String.format(Locale.ROOT, "%,.0f bytes", perProfile), "—", "target < 2,048 bytes", "—");
        report.note(String.format(Locale.ROOT, "Heap: %,d active profiles took %,d bytes after forced GC; once released, their data "
                + "objects alone (still referenced; measured two auto-save periods after the release, when the engine's timer "
                + "has let go of the released profiles) took %,d bytes (%,d each).", n, libraryDelta, dataDelta, dataDelta / n));
    }

    /** Releases every profile, 32 at a time. */
    private static void releaseAll(List<Profile<Map<String, Object>>> profiles) {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>(profiles.size());
            for (Profile<Map<String, Object>> p : profiles) {
                done.add(CompletableFuture.runAsync(p::release, pool));
            }
            await(CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])), "releasing " + profiles.size() + " profiles");
        } finally {
            pool.shutdown();
        }
    }

    /** Hand-over p50/p99 and gift delivery p99, with A holding many auto-saving profiles. */
    private void handOverAndGifts() {
        int held = s.handOverHeld();
        Duration aPeriod = Duration.ofSeconds(5);
        List<String> keys = keys("a", held);
        Samples handOver = new Samples();
        Samples gift = new Samples();
        Samples send = new Samples();
        try (Lib a = open("A", b -> b.autoSavePeriod(aPeriod)); Lib b = open("B", x -> { })) {
            ProfileStore<Map<String, Object>> storeA = store(a, "handover");
            ProfileStore<Map<String, Object>> storeB = store(b, "handover");
            List<Profile<Map<String, Object>>> profiles = loadAll(storeA, keys);
            // Gift targets: the last giftKeys profiles of A, which are never handed over.
            int giftKeys = Math.min(s.giftKeys(), held - s.handOverSamples());
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
                p.getGlobalUpdates().listenToNewLockedUpdate((id, data) -> p.edit(d -> {
                    d.put("gifts", ((Number) d.getOrDefault("gifts", 0L)).longValue() + 1);
                    p.getGlobalUpdates().clearLockedUpdate(id);
                }));
            }
            try (Editor editor = new Editor(profiles, aPeriod.dividedBy(2))) {
                for (int i = 0; i < s.handOverSamples(); i++) {
                    String key = keys.get(i);
                    long t0 = System.nanoTime();
                    Profile<Map<String, Object>> p = storeB.loadProfile(key, NotReleasedHandler.FORCE_LOAD)
                            .orElseThrow(() -> new IllegalStateException("B's FORCE_LOAD of " + key + " returned empty"));
                    handOver.add(System.nanoTime() - t0);
                    p.release();
                }
                for (int i = 0; i < s.giftSamples(); i++) {
                    String key = keys.get(held - 1 - (i % giftKeys));
                    long sample = i;
                    CompletableFuture<Long> arrived = new CompletableFuture<>();
                    arrivals.put(sample, arrived);
                    long t0 = System.nanoTime();
                    storeB.globalUpdateProfile(key, u -> u.addActiveUpdate(Map.of("sample", sample, "coins", 100)))
                            .orElseThrow(() -> new IllegalStateException("B's globalUpdateProfile of " + key + " returned empty"));
                    send.add(System.nanoTime() - t0);
                    gift.add(await(arrived, "gift " + sample + " to " + key) - t0);
                    arrivals.remove(sample);
                }
            }
        }
        report.row("hand-over p50 (B's FORCE_LOAD while A holds " + held + " auto-saving profiles)",
                Samples.ms(handOver.percentile(50)), "—", ratioToProfileService(handOver.percentile(50), 15e9),
                "~15 s mean, up to 30 s (waits for the owner's next auto-save)");
        report.row("hand-over p99", Samples.ms(handOver.percentile(99)), "—",
                ratioToProfileService(handOver.percentile(99), 30e9), "up to 30 s");
        report.row("gift delivery p99 (B's globalUpdateProfile until A's listenToNewActiveUpdate)",
                Samples.ms(gift.percentile(99)), "—", ratioToProfileService(gift.percentile(99), 30e9),
                "at the owner's next auto-save: ~15 s mean, up to 30 s");
        report.note(String.format(Locale.ROOT, "Hand-over: %d samples, A's auto-save period %d s with every profile kept dirty. "
                        + "Gifts: %d samples over %d of A's profiles, p50 %s; B's globalUpdateProfile returned (durable) in p50 %s, p99 %s.",
                handOver.size(), aPeriod.toSeconds(), gift.size(), Math.min(s.giftKeys(), held - s.handOverSamples()),
                Samples.ms(gift.percentile(50)), Samples.ms(send.percentile(50)), Samples.ms(send.percentile(99))));
    }

    /** Time for B's FORCE_LOAD to take a profile from a server that stopped (no heartbeat, no answers). */
    private void steal() {
        Samples steal = new Samples();
        Duration lease = s.stealLease();
        int lateWritesRefused = 0;
        List<String> deadJobs = new ArrayList<>();
        try (Lib b = open("thief", x -> { })) {
            ProfileStore<Map<String, Object>> storeB = store(b, "steal");
            for (int i = 0; i < s.stealSamples(); i++) {
                String key = "d-" + i;
                // A plays dead from kill() on: no heartbeat, no answers, but its objects stay alive.
                Lib a = open("dead" + i, x -> x.lease(lease));
                deadJobs.add("bench-" + runId + "-dead" + i);
                Profile<Map<String, Object>> held = load(store(a, "steal"), key);
                touch(held, 1);
                // Kill A right after one of its heartbeats, so its lease is as fresh as it gets.
                long beats = a.backend().calls("heartbeat");
                long deadline = System.nanoTime() + lease.toNanos() * 3;
                while (a.backend().calls("heartbeat") == beats) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("A sent no heartbeat within 3 leases (" + lease.multipliedBy(3) + ")");
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
                a.backend().kill();
                long t0 = System.nanoTime();
                Profile<Map<String, Object>> p = storeB.loadProfile(key, NotReleasedHandler.FORCE_LOAD)
                        .orElseThrow(() -> new IllegalStateException("B's FORCE_LOAD of " + key + " returned empty"));
                steal.add(System.nanoTime() - t0);
                touch(p, 777);
                p.release();
                // A comes back: its late writes must be refused (fencing) and it must let go; then close it.
                a.backend().revive();
                try {
                    touch(held, 3);
                    held.save();
                } catch (IllegalStateException alreadyInactive) {
                    // A found out on its own
                }
                await(CompletableFuture.runAsync(a::close), "closing the revived dead owner");
                if (held.isActive()) {
                    throw new IllegalStateException("the revived owner still thinks it holds " + key);
                }
                Object coins = storeB.viewProfile(key).orElseThrow().getData().get("coins");
                if (!(coins instanceof Number c) || c.longValue() != 777) {
                    throw new IllegalStateException("a late write of the dead owner overwrote " + key + ": coins=" + coins);
                }
                lateWritesRefused++;
            }
            // Tidy the dead servers' heartbeat rows.
            for (ServerLease row : BackendAdmin.of(b.backend()).servers()) {
                if (deadJobs.contains(row.jobId())) {
                    b.backend().removeServer(row.serverId());
                }
            }
        }
        report.row(String.format(Locale.ROOT, "dead-owner steal (lease %d s, FORCE_LOAD timeout default), %s",
                        lease.toSeconds(), steal.size() == 1 ? "1 sample" : "max of " + steal.size()),
                Samples.ms(steal.percentile(100)), "—", ratioToProfileService(steal.percentile(100), 60e9),
                "ForceLoad: 8 steps, ~1 min+; without ForceLoad the dead lock is trusted 30 min");
        report.note("Dead owner: A (lease " + lease.toSeconds() + " s) is killed right after a heartbeat: every store call "
                + "it makes fails from then on and it hears no messages. Expected: lease + 1 s. Afterwards A is revived: "
                + lateWritesRefused + " of " + steal.size() + " revived owner(s) had their late save refused and let the profile go.");
    }

    /** Store writes per idle profile-hour, scaled to the default 30 s auto-save. */
    private void idleWrites() {
        int n = s.idleProfiles();
        Duration period = s.idlePeriod();
        Map<String, Long> before;
        Map<String, Long> after;
        long windowNanos;
        // A short lease too, so heartbeats show up in a short window (one per lease third); scaled to the default 30 s below.
        Duration lease = period.multipliedBy(3);
        try (Lib lib = open("idle", b -> b.autoSavePeriod(period).lease(lease))) {
            ProfileStore<Map<String, Object>> store = store(lib, "idle");
            List<Profile<Map<String, Object>>> profiles = loadAll(store, keys("i", n));
            sleep(period.multipliedBy(3));
            before = lib.backend().callsByOperation();
            long t0 = System.nanoTime();
            sleep(s.idleWindow());
            after = lib.backend().callsByOperation();
            windowNanos = System.nanoTime() - t0;
            Reference.reachabilityFence(profiles);
        }
        double periods = windowNanos / (double) period.toNanos();
        long heartbeats = delta(after, before, "heartbeat");
        long profileWrites = 0;
        for (String op : List.of("acquire", "save", "writeInbox", "quarantine", "forceRelease", "delete")) {
            profileWrites += delta(after, before, op);
        }
        // Profile writes happen per auto-save period: scale to 120 periods (one hour at 30 s).
        double perProfileHour = profileWrites / (double) n / periods * 120;
        // Heartbeats happen per lease third, independent of the period: scale by wall time and to the default 30 s lease.
        double heartbeatsPerHour = heartbeats * 3_600e9 / windowNanos * lease.toMillis() / 30_000.0;
        report.row(String.format(Locale.ROOT, "store writes per idle profile-hour (%,d idle profiles)", n),
                String.format(Locale.ROOT, "%.1f (+ %.0f heartbeats per server-hour = %.2f per profile)",
                        perProfileHour, heartbeatsPerHour, heartbeatsPerHour / n),
                "—", ratioToProfileService(perProfileHour + heartbeatsPerHour / n, 120), "120 (a save every 30 s)");
        report.note(String.format(Locale.ROOT, "Idle writes: auto-save period %d ms and lease %d ms; %,d profile writes and %d "
                        + "heartbeats in %.1f s (%.1f periods) after 3 periods of settling; scaled to the defaults (30 s period, 30 s lease).",
                period.toMillis(), lease.toMillis(), profileWrites, heartbeats, windowNanos / 1e9, periods));
    }

    private static long delta(Map<String, Long> after, Map<String, Long> before, String op) {
        return after.getOrDefault(op, 0L) - before.getOrDefault(op, 0L);
    }

    /** Deletes the records this run made (the SQLite file goes with the temporary folder). */
    private void cleanUp() {
        if (target.libraryUri().startsWith("sqlite:")) {
            return;
        }
        try (Backend backend = Backends.open(target.libraryUri())) {
            for (String store : storesUsed) {
                List<String> page;
                while (!(page = BackendAdmin.of(backend).keys(store, null, 500)).isEmpty()) {
                    for (String key : page) {
                        BackendAdmin.of(backend).delete(store, key);
                    }
                }
            }
        } catch (RuntimeException e) {
            System.err.println("  clean-up of " + target.name() + " failed (harmless): " + e);
        }
    }

    String markdown(Duration took) {
        return report.markdown(took);
    }
}
