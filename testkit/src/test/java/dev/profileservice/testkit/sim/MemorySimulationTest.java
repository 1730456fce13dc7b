package dev.profileservice.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.profileservice.internal.memory.MemoryBackend;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The deterministic simulation on the {@code memory:} store: 10,000 seeds keep every guarantee
 * ({@code -Dprofileservice.sim.seeds=N} for more or fewer), a seed replays exactly, {@code
 * -Dprofileservice.sim.seed=S} replays one with its trace, and each planted bug is found.
 */
@Tag("simulation")
class MemorySimulationTest {
    private static final Simulation SIMULATION = Simulation.of(MemoryBackend::new);
    /** Seeds in which each planted bug must show; each has so far shown within its first ten. */
    private static final int BUG_BUDGET = 500;

    @Test
    void tenThousandSeedsKeepEveryGuarantee() {
        int seeds = Integer.getInteger("profileservice.sim.seeds", 10_000);
        Simulation.Summary s = SIMULATION.runSeeds(0, seeds, 2);
        System.out.println(s.describe("memory"));
        s.requirePassed(seeds);
    }

    @Test
    void aSeedReplaysExactly() {
        for (long seed = 100; seed < 110; seed++) {
            Simulation.Outcome first = SIMULATION.run(seed);
            Simulation.Outcome again = SIMULATION.run(seed);
            assertThat(again.trace()).as("seed %d", seed).isEqualTo(first.trace());
            assertThat(again.traceHash()).isEqualTo(first.traceHash());
        }
        assertThat(SIMULATION.run(1).traceHash()).isNotEqualTo(SIMULATION.run(2).traceHash());
    }

    @Test
    void replaysTheSeedGivenOnTheCommandLine() {
        String seed = System.getProperty("profileservice.sim.seed");
        assumeTrue(seed != null, "no -Dprofileservice.sim.seed given");
        Simulation.Outcome o = SIMULATION.run(Long.parseLong(seed));
        System.out.println(o.report());
        assertThat(o.violation()).isNull();
    }

    @ParameterizedTest
    @EnumSource(PlantedBug.class)
    void findsEachPlantedBug(PlantedBug bug) {
        Simulation.Summary s = SIMULATION.plant(bug).runSeeds(0, BUG_BUDGET, 1);
        assertThat(s.firstFailure())
                .as("a failing seed within %d with %s planted", BUG_BUDGET, bug)
                .isNotNull();
        Simulation.Outcome failure = s.firstFailure();
        System.out.printf("%s found by seed %d: %s%n", bug, failure.seed(), failure.violation());
        assertThat(failure.violation())
                .containsPattern(
                        switch (bug) {
                            case UNFENCED_SAVES -> "two writers|went back";
                            case GIFT_LOCKED_OUTSIDE_SAVE -> "gift g:\\d+ .*applied 0 times";
                            case LEASE_BY_LOCAL_CLOCK -> "took k\\d from s\\d, whose lease runs";
                        });
        assertThat(failure.report()).contains("replay it with -Dprofileservice.sim.seed=" + failure.seed());
        Simulation.Outcome replayed = SIMULATION.plant(bug).run(failure.seed());
        assertThat(replayed.violation()).isEqualTo(failure.violation());
    }
}
