package dev.profileservice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.jdbc.internal.Opener;
import dev.profileservice.testkit.sim.PlantedBug;
import dev.profileservice.testkit.sim.Simulation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit's deterministic simulation on SQLite: a fresh database file per seed whose leases run
 * by the simulation's virtual clock (its connections define {@code ps_now()} over it), so the real
 * SQL of every store call runs under the simulated schedules and faults.
 * {@code -Dprofileservice.sim.sqliteSeeds=N} changes the number of seeds (default 300).
 */
class SqliteSimulationTest {
    @TempDir
    static Path dir;

    private static final AtomicInteger FILES = new AtomicInteger();

    private static Simulation simulation() {
        return Simulation.of(clock -> {
            Map<String, String> params = new HashMap<>(Map.of("synchronous", "OFF", "poolSize", "2"));
            Path file = dir.resolve("sim-" + FILES.incrementAndGet() + ".db");
            return Opener.sqlite(file, "sqlite:" + file, params, clock);
        });
    }

    @Test
    void threeHundredSeedsKeepEveryGuarantee() {
        int seeds = Integer.getInteger("profileservice.sim.sqliteSeeds", 300);
        Simulation.Summary s = simulation().runSeeds(0, seeds, 2);
        System.out.println(s.describe("SQLite"));
        s.requirePassed(seeds);
    }

    @Test
    void aSeedReplaysExactlyOnSqliteToo() {
        Simulation sim = simulation();
        assertThat(sim.run(7).trace()).isEqualTo(sim.run(7).trace());
    }

    @Test
    void findsAnUnfencedStore() {
        Simulation.Summary s = simulation().plant(PlantedBug.UNFENCED_SAVES).runSeeds(0, 100, 1);
        assertThat(s.firstFailure()).isNotNull();
        assertThat(s.firstFailure().violation()).containsPattern("two writers|went back");
    }
}
