package dev.profileservice.cli.internal.sim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of one simulation run (see {@code profiles simulate --help} for each).
 *
 * @param storeUri         the store URI; null for a SQLite file in {@code runDir}
 * @param profileStore     the profile store name; null for a fresh one per run
 * @param runDir           where logs (and the default SQLite file) go; null for a new temp folder
 * @param stormGifts       gifts sent at once to one player in the storm phase (0: no storm)
 * @param rollbacksPerMinute admin rollbacks a minute on the rollback cohort (0: none; see {@link AdminDriver})
 * @param wipes            cohort profiles wiped during the run (0: none)
 * @param clockSkew        the spread of the server processes' clocks around the host's (see {@link #clockOffset})
 * @param latency          added to every store call of every server, give or take {@code jitter}
 * @param slow             inject a store slower than the lease (for {@code cutFor}) into one server
 * @param busCut           inject a cut of one server's message channel alone (for {@code cutFor})
 * @param primaryKill      with a {@code redis-sentinel://} store, kill its primary (while it has two replicas or more)
 */
public record SimConfig(
        String storeUri,
        String profileStore,
        Path runDir,
        int servers,
        int players,
        Duration duration,
        Duration lease,
        Duration autoSave,
        Duration forceLoadTimeout,
        Duration pollInterval,
        Duration editInterval,
        double giftsPerSecond,
        int stormGifts,
        double rollbacksPerMinute,
        int wipes,
        boolean kill,
        boolean freeze,
        boolean cut,
        Duration faultEvery,
        Duration freezeFor,
        Duration cutFor,
        Duration restartAfter,
        Duration lossSlack,
        Duration clockSkew,
        Duration latency,
        Duration jitter,
        boolean slow,
        boolean busCut,
        boolean primaryKill,
        long seed,
        String childJvmOptions) {

    /**
     * The clock offset of server slot {@code slot}: the slots share {@code -clockSkew/2 .. +clockSkew/2}
     * evenly, so every run has servers ahead of and behind each other by up to the whole skew.
     */
    public Duration clockOffset(int slot) {
        if (servers <= 1 || clockSkew.isZero()) {
            return Duration.ZERO;
        }
        long skew = clockSkew.toMillis();
        return Duration.ofMillis(-skew / 2 + skew * slot / (servers - 1));
    }

    /** The faults switched on, in the order they take turns. */
    List<FaultKind> faultKinds() {
        List<FaultKind> kinds = new ArrayList<>();
        // a freeze first: it heals by itself, while a kill waits for its server's restart (a new JVM,
        // slow on a loaded machine) before the next fault can strike, so a short run still sees both
        if (freeze) {
            kinds.add(FaultKind.FREEZE);
        }
        if (kill) {
            kinds.add(FaultKind.KILL);
        }
        if (cut) {
            kinds.add(FaultKind.CUT);
        }
        if (busCut) {
            kinds.add(FaultKind.BUS_CUT);
        }
        if (slow) {
            kinds.add(FaultKind.SLOW);
        }
        if (primaryKill && SentinelPrimary.of(storeUri).isPresent()) {
            kinds.add(FaultKind.PRIMARY_KILL);
        }
        return kinds;
    }
}
