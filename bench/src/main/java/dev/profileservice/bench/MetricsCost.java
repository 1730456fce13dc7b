package dev.profileservice.bench;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.micrometer.ProfileServiceMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the Micrometer meters cost: the same workload with and without a {@code ProfileServiceMetrics}
 * observer, alternated in one JVM (off/on, then on/off, round after round, so drift of the machine
 * falls on both), on {@code memory:} and on SQLite. The workload is the engine's hot path: load
 * {@code profiles} profiles at once, edit each, release them all (a fenced final save each, in
 * batches), {@code cycles} times per run. Prints, per store, the median of the rounds: load+release
 * pairs per second and process CPU time per pair, off and on, and the difference.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.profileservice.bench.MetricsCost [--rounds 7]
 * </pre>
 *
 * <p>The first {@value #WARM_UP} rounds of each store are a warm-up and not counted. Threads: the main thread, plus the
 * services' own.
 */
public final class MetricsCost {

    /** Rounds (off and on) run first and not counted: the JIT settles during them. */
    private static final int WARM_UP = 3;

    private record Workload(String name, String uri, int profiles, int cycles) {}

    private record Result(double pairsPerSecond, double cpuMicrosPerPair) {}

    private MetricsCost() {}

    public static void main(String[] args) throws Exception {
        int rounds = 7;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds") && i + 1 < args.length) {
                rounds = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: MetricsCost [--rounds N]");
                System.exit(2);
            }
        }
        Path tmp = Files.createTempDirectory("psmetrics-");
        List<Workload> workloads = List.of(
                new Workload("memory", "memory:", 500, 100),
                new Workload("sqlite", "sqlite:" + tmp.resolve("metrics-cost.db"), 200, 10));
        System.out.printf(
                Locale.ROOT,
                "%d cores, JDK %s, load average %s; %d rounds (+" + WARM_UP + " warm-up) per store%n%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.runtime.version"),
                Files.readString(Path.of("/proc/loadavg")).trim(),
                rounds);
        System.out.println("| store | workload | metrics off | metrics on | difference |");
        System.out.println("|---|---|---|---|---|");
        for (Workload w : workloads) {
            for (int i = 0; i < WARM_UP; i++) {
                run(w, false, -1 - i);
                run(w, true, -1 - i);
            }
            double[] offRate = new double[rounds];
            double[] onRate = new double[rounds];
            double[] offCpu = new double[rounds];
            double[] onCpu = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                boolean onFirst = r % 2 == 1;
                Result first = run(w, onFirst, r + 1);
                Result second = run(w, !onFirst, r + 1);
                Result on = onFirst ? first : second;
                Result off = onFirst ? second : first;
                offRate[r] = off.pairsPerSecond();
                onRate[r] = on.pairsPerSecond();
                offCpu[r] = off.cpuMicrosPerPair();
                onCpu[r] = on.cpuMicrosPerPair();
            }
            double rOff = median(offRate);
            double rOn = median(onRate);
            double cOff = median(offCpu);
            double cOn = median(onCpu);
            String workload =
                    String.format(Locale.ROOT, "%d profiles x %d load/edit/release cycles", w.profiles(), w.cycles());
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s, throughput | %,.0f pairs/s | %,.0f pairs/s | %+.1f %% |%n",
                    w.name(),
                    workload,
                    rOff,
                    rOn,
                    100 * (rOn - rOff) / rOff);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s, CPU per pair | %,.1f us | %,.1f us | %+.1f %% |%n",
                    w.name(),
                    workload,
                    cOff,
                    cOn,
                    100 * (cOn - cOff) / cOff);
            System.out.printf(
                    Locale.ROOT,
                    "|   | rounds (pairs/s) | %s | %s | |%n",
                    Arrays.toString(round(offRate)),
                    Arrays.toString(round(onRate)));
        }
        System.out.flush();
        System.exit(0);
    }

    private static Result run(Workload w, boolean metrics, int round) {
        ProfileService.Builder b = ProfileService.builder().backend(w.uri()).placeId("metrics-cost");
        if (metrics) {
            b.observer(new ProfileServiceMetrics(new SimpleMeterRegistry()));
        }
        try (ProfileService service = b.build()) {
            String storeName = "mc_" + (metrics ? "on" : "off") + "_" + (round < 0 ? "w" + -round : round);
            ProfileStore<Map<String, Object>> store = service.getProfileStore(storeName, Map.of("coins", 0));
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            for (int c = 0; c < w.cycles(); c++) {
                List<CompletableFuture<java.util.Optional<Profile<Map<String, Object>>>>> loads =
                        new ArrayList<>(w.profiles());
                for (int i = 0; i < w.profiles(); i++) {
                    loads.add(store.loadProfileAsync("k" + i, NotReleasedHandler.FORCE_LOAD));
                }
                List<CompletableFuture<Void>> releases = new ArrayList<>(w.profiles());
                for (CompletableFuture<java.util.Optional<Profile<Map<String, Object>>>> f : loads) {
                    Profile<Map<String, Object>> p = f.join().orElseThrow();
                    int next = c + 1;
                    p.edit(d -> d.put("coins", next));
                    releases.add(p.releaseAsync());
                }
                CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new))
                        .join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double pairs = (double) w.profiles() * w.cycles();
            return new Result(pairs / seconds, (cpuNanos() - cpu0) / 1e3 / pairs);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static long[] round(double[] values) {
        return Arrays.stream(values).mapToLong(Math::round).toArray();
    }
}
