package dev.profileservice.bench;

import dev.profileservice.spi.BackendUris;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * The macro benchmark: for each real backend (SQLite, PostgreSQL, MariaDB, Redis) it measures the
 * library through its public API and a raw baseline written by hand with the same driver against
 * the same server ({@link RawStore}), and prints one markdown table per backend with both figures,
 * their ratio, and ProfileService's (the Roblox original's) figure where one follows from its
 * settings.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.profileservice.bench.MacroBench --quick|--full
 *      [--out FILE] [--backends sqlite,postgresql,mariadb,redis] [--metrics]
 * </pre>
 *
 * Store addresses: PostgreSQL 127.0.0.1:5432 db test (user postgres), MariaDB 127.0.0.1:3306 db test
 * (root), Redis 127.0.0.1:6379, SQLite a temporary file; {@code PROFILESERVICE_TEST_POSTGRES_URI},
 * {@code PROFILESERVICE_TEST_MARIADB_URI} and {@code PROFILESERVICE_TEST_REDIS_URI} override them.
 *
 * <p>{@code --metrics} gives every library service a {@code ProfileServiceMetrics} observer over a
 * {@code SimpleMeterRegistry}, so a run with and one without show what the meters cost (see also
 * {@link MetricsCost}, which alternates the two in one JVM).
 *
 * <p>The quick mode (for CI) runs every measurement with small counts, in well under two minutes
 * for all four backends; it proves the harness works and asserts no timing. The exit code is 0
 * when every measurement ran, 1 when one failed (the table says which and why), 2 on bad arguments
 * or when the watchdog stopped a hung run.
 *
 * <p>Threads: everything runs on the main thread, plus the helper threads each measurement starts
 * and stops itself (editors, raw workers) and the library's own threads.
 */
public final class MacroBench {

    /** Counts and durations of one mode. */
    record Settings(
            String mode,
            int loadWarmup,
            int loadSamples,
            int[] saveCounts,
            Duration saveWarmup,
            Duration saveWindow,
            int heapProfiles,
            int handOverHeld,
            int handOverSamples,
            int giftKeys,
            int giftSamples,
            int stealSamples,
            Duration stealLease,
            int idleProfiles,
            Duration idlePeriod,
            Duration idleWindow,
            int loadParallelism,
            Duration watchdog,
            int stormGifts,
            boolean metrics) {

        /**
         * The settings of {@code --quick} (small counts, for CI: it proves the harness works) or of
         * {@code --full}, each count and duration with its quick and its full value side by side.
         */
        static Settings of(boolean quick) {
            return new Settings(
                    quick ? "quick" : "full",
                    quick ? 10 : 200,
                    quick ? 30 : 1_000,
                    quick ? new int[] {100, 500} : new int[] {1_000, 10_000},
                    quick ? Duration.ofMillis(300) : Duration.ofSeconds(3),
                    quick ? Duration.ofMillis(700) : Duration.ofSeconds(10),
                    quick ? 300 : 10_000,
                    quick ? 100 : 1_000,
                    quick ? 15 : 300,
                    quick ? 5 : 10,
                    quick ? 15 : 300,
                    quick ? 1 : 3,
                    Duration.ofSeconds(2),
                    quick ? 50 : 1_000,
                    quick ? Duration.ofMillis(250) : Duration.ofSeconds(1),
                    quick ? Duration.ofSeconds(1) : Duration.ofSeconds(20),
                    32,
                    quick ? Duration.ofMinutes(6) : Duration.ofMinutes(60),
                    quick ? 200 : 4_000,
                    false);
        }

        /** These settings with every library service recording Micrometer meters ({@code --metrics}), or not. */
        Settings withMetrics(boolean on) {
            return new Settings(
                    mode,
                    loadWarmup,
                    loadSamples,
                    saveCounts,
                    saveWarmup,
                    saveWindow,
                    heapProfiles,
                    handOverHeld,
                    handOverSamples,
                    giftKeys,
                    giftSamples,
                    stealSamples,
                    stealLease,
                    idleProfiles,
                    idlePeriod,
                    idleWindow,
                    loadParallelism,
                    watchdog,
                    stormGifts,
                    on);
        }
    }

    /**
     * One backend to measure: the library's URI and a factory of raw baselines. The factory's
     * argument is the number of client threads that will use it; a JDBC baseline gets as many pooled
     * connections as that, but never more than the library's own pool has (SQLite 4, PostgreSQL and
     * MariaDB 10, or the URI's {@code poolSize}), so both sides run at the same concurrency.
     * {@code concurrency} is that number: how many saves the library can have at the store at once
     * (for Redis, its 64 I/O threads sharing one multiplexed connection).
     */
    record Target(String name, String libraryUri, IntFunction<RawStore> raw, int concurrency) {}

    private MacroBench() {}

    public static void main(String[] args) throws Exception {
        Settings settings = null;
        Path out = null;
        List<String> only = List.of("sqlite", "postgresql", "mariadb", "redis");
        List<String> measurements = List.of();
        boolean metrics = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> settings = Settings.of(true);
                case "--full" -> settings = Settings.of(false);
                case "--out" -> out = Path.of(requireValue(args, ++i, "--out"));
                case "--metrics" -> metrics = true;
                case "--backends" ->
                    only = List.of(requireValue(args, ++i, "--backends").split(","));
                case "--measurements" ->
                    measurements =
                            List.of(requireValue(args, ++i, "--measurements").split(","));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (settings == null) {
            usage("say --quick or --full");
        }
        settings = settings.withMetrics(metrics);
        startWatchdog(settings.watchdog());

        Path tmp = Files.createTempDirectory("psbench-");
        List<Target> targets = new ArrayList<>();
        for (String name : only) {
            targets.add(target(name.trim().toLowerCase(Locale.ROOT), tmp));
        }

        Instant started = Instant.now();
        StringBuilder md = new StringBuilder();
        md.append("Mode `--")
                .append(settings.mode())
                .append("`, started ")
                .append(started)
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, JDK ")
                .append(System.getProperty("java.runtime.version"))
                .append(", max heap ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
                .append(" MB, load average at start ")
                .append(loadAverage())
                .append(
                        settings.metrics()
                                ? ", metrics ON (every library service records into a SimpleMeterRegistry)"
                                : ", metrics off")
                .append(".\n\n");
        int failures = 0;
        for (Target target : targets) {
            System.out.println("== " + target.name() + " (" + BackendUris.mask(target.libraryUri()) + ")");
            BackendBench bench = new BackendBench(target, settings, measurements);
            long t0 = System.nanoTime();
            bench.run();
            failures += bench.failures();
            String table = bench.markdown(Duration.ofNanos(System.nanoTime() - t0));
            System.out.println(table);
            md.append(table).append('\n');
        }
        md.append("Total time ")
                .append(Duration.between(started, Instant.now()).toSeconds())
                .append(" s; load average at end ")
                .append(loadAverage())
                .append("; ")
                .append(
                        failures == 0
                                ? "every measurement ran."
                                : failures + " measurement(s) FAILED (see the tables).")
                .append('\n');
        System.out.println(md.substring(md.lastIndexOf("Total time")));
        if (out != null) {
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
            System.out.println("written to " + out.toAbsolutePath());
        }
        deleteTree(tmp);
        System.out.flush();
        // Abandoned services (the dead-owner measurement) keep their threads; end the JVM here.
        System.exit(failures == 0 ? 0 : 1);
    }

    private static String requireValue(String[] args, int i, String option) {
        if (i >= args.length) {
            usage(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("MacroBench: " + problem);
        System.err.println(
                "usage: MacroBench --quick|--full [--out FILE] [--metrics] [--backends sqlite,postgresql,mariadb,redis]"
                        + " [--measurements \"gift storm\",...] (names as the progress lines print them)");
        System.exit(2);
    }

    private static void startWatchdog(Duration limit) {
        Thread t = new Thread(
                () -> {
                    try {
                        Thread.sleep(limit.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println(
                            "MacroBench: still running after " + limit + "; thread dump follows, then exit 2");
                    Thread.getAllStackTraces().forEach((thread, stack) -> {
                        System.err.println("\"" + thread.getName() + "\" " + thread.getState());
                        for (StackTraceElement e : stack) {
                            System.err.println("    at " + e);
                        }
                    });
                    System.exit(2);
                },
                "macrobench-watchdog");
        t.setDaemon(true);
        t.start();
    }

    static Target target(String name, Path tmp) {
        return switch (name) {
            case "sqlite" -> {
                Path lib = tmp.resolve("library.db");
                Path raw = tmp.resolve("raw.db");
                yield new Target(
                        "SQLite",
                        "sqlite:" + lib,
                        n -> new RawJdbcStore(RawJdbcStore.Dialect.SQLITE, "jdbc:sqlite:" + raw, Math.min(n, 4)),
                        4);
            }
            case "postgresql", "postgres" -> {
                String uri = env("PROFILESERVICE_TEST_POSTGRES_URI", "postgresql://postgres@127.0.0.1:5432/test");
                yield new Target(
                        "PostgreSQL",
                        libraryUri(uri),
                        n -> new RawJdbcStore(
                                RawJdbcStore.Dialect.POSTGRESQL, jdbcUrl(uri), Math.min(n, poolSize(uri))),
                        poolSize(uri));
            }
            case "mariadb", "mysql" -> {
                String uri = env("PROFILESERVICE_TEST_MARIADB_URI", "mariadb://root@127.0.0.1:3306/test");
                yield new Target(
                        "MariaDB",
                        libraryUri(uri),
                        n -> new RawJdbcStore(RawJdbcStore.Dialect.MARIADB, jdbcUrl(uri), Math.min(n, poolSize(uri))),
                        poolSize(uri));
            }
            case "redis" -> {
                String uri = env("PROFILESERVICE_TEST_REDIS_URI", "redis://127.0.0.1:6379");
                yield new Target("Redis", uri, n -> new RawRedisStore(uri), 64);
            }
            default -> {
                usage("unknown backend '" + name + "' (known: sqlite, postgresql, mariadb, redis)");
                throw new AssertionError();
            }
        };
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** The library's JDBC pool size for a server URI: its {@code poolSize} parameter, else the default 10. */
    static int poolSize(String uri) {
        var m = java.util.regex.Pattern.compile("[?&]poolSize=(\\d+)").matcher(uri);
        return m.find() ? Integer.parseInt(m.group(1)) : 10;
    }

    /** The library's URI for a configured address ({@code jdbc:} prefixes are dropped). */
    static String libraryUri(String uri) {
        return uri.startsWith("jdbc:") ? uri.substring("jdbc:".length()) : uri;
    }

    /**
     * The JDBC URL for a store URI such as {@code postgresql://user:pw@host:5432/db?x=y}: user and
     * password move into the query. {@code jdbc:} URLs are used as they are.
     */
    static String jdbcUrl(String uri) {
        if (uri.startsWith("jdbc:")) {
            return uri;
        }
        URI u = URI.create(uri);
        String scheme = switch (u.getScheme().toLowerCase(Locale.ROOT)) {
            case "postgresql", "postgres" -> "postgresql";
            case "mariadb", "mysql" -> "mariadb";
            default -> throw new IllegalArgumentException("not a JDBC store URI: " + BackendUris.mask(uri));
        };
        List<String> query = new ArrayList<>();
        if (u.getRawUserInfo() != null) {
            String[] parts = u.getRawUserInfo().split(":", 2);
            query.add("user=" + parts[0]);
            if (parts.length == 2) {
                query.add("password=" + parts[1]);
            }
        }
        if (u.getRawQuery() != null) {
            query.add(u.getRawQuery());
        }
        return "jdbc:" + scheme + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")
                + (u.getRawPath() == null ? "" : u.getRawPath())
                + (query.isEmpty() ? "" : "?" + String.join("&", query));
    }

    /**
     * The 1/5/15-minute load averages from {@code /proc/loadavg} (or the JVM's 1-minute figure): on a
     * shared machine they say how much else was running while the figures were taken.
     */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | RuntimeException e) {
            return String.format(
                    Locale.ROOT,
                    "%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
