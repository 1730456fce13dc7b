package dev.profileservice.testkit.sim;

import dev.profileservice.spi.Backend;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Deterministic simulation of the real engine: several {@code ProfileService}s on one store, inside
 * one thread, in virtual time, with every executor, scheduler, clock and message delivery driven by
 * a seeded random choice of the next step. Each seed plays players, gift senders, an operator and
 * faults against the engine and checks the guarantees after every store write (see {@code
 * SimOracle}); a failing seed replays exactly, with its trace, from the seed alone.
 *
 * <pre>{@code
 * Simulation sim = Simulation.of(clock -> new MyBackend(clock));
 * Simulation.Outcome one = sim.run(42);            // one seed
 * Simulation.Summary many = sim.runSeeds(0, 10_000, 2); // stops at the first failing seed
 * }</pre>
 *
 * <p>A store under simulation must judge leases by the clock it is given (the world's virtual
 * time), must not start threads of its own that call back into the engine, and is opened once per
 * seed, empty. Threads: {@link #run} runs a seed on the calling thread; {@link #runSeeds} on a pool
 * of its own, one seed per thread at a time.
 */
public final class Simulation {
    /** The default number of chaos steps per seed, before the faults heal. */
    public static final int DEFAULT_STEPS = 500;

    private final Function<Clock, Backend> openStore;
    private final Set<PlantedBug> bugs;
    private final int steps;

    private Simulation(Function<Clock, Backend> openStore, Set<PlantedBug> bugs, int steps) {
        this.openStore = openStore;
        this.bugs = bugs;
        this.steps = steps;
    }

    /**
     * A simulation on the stores {@code openStore} opens: one fresh, empty store per seed, judging
     * leases by the clock it is given.
     */
    public static Simulation of(Function<Clock, Backend> openStore) {
        return new Simulation(
                Objects.requireNonNull(openStore, "openStore"), EnumSet.noneOf(PlantedBug.class), DEFAULT_STEPS);
    }

    /** This simulation with {@code bug} planted in the store: its seeds must find it. Tests only. */
    public Simulation plant(PlantedBug bug) {
        Set<PlantedBug> more = EnumSet.copyOf(bugs.isEmpty() ? EnumSet.noneOf(PlantedBug.class) : bugs);
        more.add(Objects.requireNonNull(bug, "bug"));
        return new Simulation(openStore, more, steps);
    }

    /** This simulation with {@code n} chaos steps per seed. */
    public Simulation steps(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + n);
        }
        return new Simulation(openStore, bugs, n);
    }

    /** What one seed did. */
    public record Outcome(long seed, String violation, List<String> trace, long traceHash, String stats) {
        public boolean passed() {
            return violation == null;
        }

        /** The seed, the violation and the trace: what a failing test prints. */
        public String report() {
            return "seed " + seed + (passed() ? " passed" : " FAILED: " + violation)
                    + "\nreplay it with -Dprofileservice.sim.seed=" + seed + "\n" + String.join("\n", trace);
        }
    }

    /** What a run of seeds did: how many ran, the first failure (or null), and the totals. */
    public record Summary(int seedsRun, Outcome firstFailure, String totals, long millis) {
        public boolean passed() {
            return firstFailure == null;
        }

        /**
         * Throws an {@link AssertionError} with the first failure's report unless all {@code seeds}
         * seeds ran and passed.
         */
        public void requirePassed(int seeds) {
            if (!passed()) {
                throw new AssertionError(
                        "the simulation failed: " + firstFailure.violation() + "\n" + firstFailure.report());
            }
            if (seedsRun != seeds) {
                throw new AssertionError("the simulation ran " + seedsRun + " seeds, not " + seeds);
            }
        }

        /** One line for the build's output: seeds, time and totals on {@code store}; then the first failure's report. */
        public String describe(String store) {
            return String.format(
                            java.util.Locale.ROOT,
                            "DST on %s: %d seeds in %.1f s (%s)",
                            store,
                            seedsRun,
                            millis / 1000.0,
                            totals)
                    + (passed() ? "" : "\n" + firstFailure.report());
        }
    }

    /** Runs one seed on the calling thread. */
    public Outcome run(long seed) {
        return run(seed, new SimStats());
    }

    /** Runs one seed on the calling thread, adding what it did to {@code stats}. */
    private Outcome run(long seed, SimStats stats) {
        SimWorld.Trace trace = new SimWorld.Trace();
        SimWorld world = new SimWorld(seed, trace);
        Backend store = openStore.apply(world.clock(0));
        trace.storeName(store.describe());
        try {
            SimRun run = new SimRun(seed, store, steps, bugs, world);
            String violation;
            try {
                violation = run.run();
            } catch (RuntimeException e) {
                trace.add(world.now(), "sim", "simulation threw " + e);
                violation = "the simulation threw " + e;
            }
            stats.add(run.stats);
            return new Outcome(seed, violation, trace.lines(), trace.hash(), run.stats.toString());
        } finally {
            store.close();
        }
    }

    /** Runs seeds {@code first} to {@code first + count - 1} on {@code threads} threads; stops at the first failure. */
    public Summary runSeeds(long first, int count, int threads) {
        long start = System.nanoTime();
        int workers = Math.max(1, threads);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        AtomicLong next = new AtomicLong(first);
        long end = first + count;
        AtomicReference<Outcome> failure = new AtomicReference<>();
        List<Future<Result>> results = new ArrayList<>();
        for (int t = 0; t < workers; t++) {
            results.add(pool.submit(() -> {
                Result r = new Result();
                for (long seed = next.getAndIncrement();
                        seed < end && failure.get() == null;
                        seed = next.getAndIncrement()) {
                    Outcome o = run(seed, r.stats);
                    r.seeds++;
                    if (!o.passed()) {
                        failure.compareAndSet(null, o);
                    }
                }
                return r;
            }));
        }
        Result total = new Result();
        try {
            for (Future<Result> f : results) {
                Result r = f.get();
                total.seeds += r.seeds;
                total.stats.add(r.stats);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while simulating", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a simulation thread failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Summary(total.seeds, failure.get(), total.stats.toString(), (System.nanoTime() - start) / 1_000_000);
    }

    private static final class Result {
        int seeds;
        final SimStats stats = new SimStats();
    }
}
