package dev.profileservice.cli.internal;

import dev.profileservice.cli.internal.sim.SimConfig;
import dev.profileservice.cli.internal.sim.SimReport;
import dev.profileservice.cli.internal.sim.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code profiles simulate}: several game-server processes on one store, simulated players that
 * join, play, hop and leave, admin gifts, and real faults (kill -9, SIGSTOP, cut connections); then
 * checks the store and prints a report. Exit code 0 when every check passed, 1 when one failed,
 * 2 for bad options.
 */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run a game-server network on a store with real faults, then check that nothing was lost or duplicated.",
            "",
            "Starts --servers child JVMs (game servers) sharing one store (default: a SQLite file in a fresh temp folder).",
            "Players join a server (loadProfile FORCE_LOAD), play (edit their data), hop to another server, leave and come back;",
            "admin gifts go to online and offline players with globalUpdateProfile. Faults: kill -9 of a server (restarted",
            "after a moment), SIGSTOP for longer than the lease then SIGCONT, and for server stores a cut connection through",
            "a local TCP proxy. At the end every player is loaded once more (to deliver pending gifts), the servers shut down",
            "gracefully, and the store is checked: gifts exactly once, fencing (epoch order of saves), graceful hops keep all",
            "edits, crash loss bounded by the auto-save period; with hand-over latency and steal time.",
            "A rollback cohort (a tenth of the players, at least 3, no gifts) gets admin rollbacks (overwrite() of an older",
            "version, often while the player is online: the next session must load exactly that version) and wipes (a stale",
            "view's overwrite() after the wipe must be refused: no rollback brings a wiped profile back).",
            ""
        })
public final class SimulateCommand implements Callable<Integer> {
    private static final String SERVERS = "--servers";
    private static final String PLAYERS = "--players";
    private static final String STORM_GIFTS = "--storm-gifts";
    private static final String ROLLBACKS = "--rollbacks";
    private static final String WIPES = "--wipes";

    @Option(
            names = "--store",
            paramLabel = "URI",
            description = "Store URI (default: sqlite: file in a fresh temp folder)")
    String store;

    @Option(
            names = {"-s", "--profile-store"},
            paramLabel = "NAME",
            description = "Profile store name (default: Simulation_<run id>, fresh per run)")
    String profileStore;

    @Option(names = SERVERS, defaultValue = "4", description = "Game-server processes (default: ${DEFAULT-VALUE})")
    int servers;

    @Option(names = PLAYERS, defaultValue = "200", description = "Simulated players (default: ${DEFAULT-VALUE})")
    int players;

    @Option(
            names = "--duration",
            defaultValue = "60s",
            description = "How long players play (default: ${DEFAULT-VALUE}); drain and checks follow")
    Duration duration;

    @Mixin
    GameServerOptions serverSettings;

    @Option(
            names = "--gifts-per-second",
            defaultValue = "5",
            description = "Admin gifts sent per second (default: ${DEFAULT-VALUE})")
    double giftsPerSecond;

    @Option(
            names = STORM_GIFTS,
            defaultValue = "300",
            description = "Gifts 16 admin threads send to one popular player"
                    + " a third of the way in, while it hops servers (0: no storm; default: ${DEFAULT-VALUE})")
    int stormGifts;

    @Option(
            names = ROLLBACKS,
            defaultValue = "12",
            description = "Admin rollbacks a minute (overwrite() of a version one or two behind the newest) on the"
                    + " rollback cohort (0: none; default: ${DEFAULT-VALUE})")
    double rollbacks;

    @Option(
            names = WIPES,
            defaultValue = "2",
            description = "Rollback-cohort profiles wiped during the run, their players offline for good; at most"
                    + " the cohort size minus one (0: none; default: ${DEFAULT-VALUE})")
    int wipes;

    @Option(names = "--no-kill", negatable = false, description = "Do not kill -9 servers")
    boolean noKill;

    @Option(names = "--no-freeze", negatable = false, description = "Do not SIGSTOP servers")
    boolean noFreeze;

    @Option(
            names = "--no-cut",
            negatable = false,
            description = "Do not cut servers' store connections (server stores only)")
    boolean noCut;

    @Option(names = "--no-bus-cut", negatable = false, description = "Do not cut servers' message channels alone")
    boolean noBusCut;

    @Option(names = "--no-primary-kill", negatable = false, description = "Do not kill a Sentinel group's primary")
    boolean noPrimaryKill;

    @Option(names = "--no-slow", negatable = false, description = "Do not slow a server's store calls past its lease")
    boolean noSlow;

    @Option(
            names = "--latency",
            defaultValue = "0ms",
            description = "Added to every store call of every server, e.g. 200ms (default: ${DEFAULT-VALUE})")
    Duration latency;

    @Option(
            names = "--jitter",
            defaultValue = "0ms",
            description =
                    "Latency varies by up to this much either way, e.g. 100ms; at most --latency (default: ${DEFAULT-VALUE})")
    Duration jitter;

    @Option(
            names = "--fault-every",
            description = "Time between faults (default: a quarter of the duration, 3 s to 7 s); one fault at a time")
    Duration faultEvery;

    @Option(names = "--freeze-for", description = "How long a server stays stopped (default: lease + 2s)")
    Duration freezeFor;

    @Option(names = "--cut-for", description = "How long a connection stays cut (default: lease + 1s)")
    Duration cutFor;

    @Option(
            names = "--restart-after",
            defaultValue = "1s",
            description = "Restart a killed server after (default: ${DEFAULT-VALUE})")
    Duration restartAfter;

    @Option(
            names = "--loss-slack",
            defaultValue = "1500ms",
            description =
                    "Allowed crash loss beyond the auto-save period, for the save's own duration (default: ${DEFAULT-VALUE})")
    Duration lossSlack;

    @Option(
            names = "--clock-skew",
            defaultValue = "4s",
            description =
                    "Spread of the servers' clocks: each process's clock is set off the host's by an even share of"
                            + " -skew/2 .. +skew/2, so leases must be judged by the store's clock (default: ${DEFAULT-VALUE}; 0 for none)")
    Duration clockSkew;

    @Option(names = "--seed", description = "Random seed (default: random; printed in the report)")
    Long seed;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the report as JSON to FILE")
    Path report;

    @Option(
            names = "--run-dir",
            paramLabel = "DIR",
            description = "Folder for server logs and the default SQLite file (default: a fresh temp folder)")
    Path runDir;

    @Option(
            names = "--child-jvm-options",
            paramLabel = "OPTS",
            description = "Extra JVM options for the server processes")
    String childJvmOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        requireBetween(SERVERS, servers, 1, 64);
        requireBetween(PLAYERS, players, 1, 100_000);
        if (giftsPerSecond < 0) {
            throw new BadInputException("--gifts-per-second must not be negative");
        }
        requireBetween(STORM_GIFTS, stormGifts, 0, 100_000);
        if (rollbacks < 0 || rollbacks > 6_000 || Double.isNaN(rollbacks)) {
            throw new BadInputException(ROLLBACKS + " must be between 0 and 6000 a minute, was " + rollbacks);
        }
        requireBetween(WIPES, wipes, 0, 10_000);
        if (faultEvery == null) {
            faultEvery = Duration.ofMillis(Math.max(3_000, Math.min(7_000, duration.toMillis() / 4)));
        }
        if (serverSettings.autoSave.compareTo(serverSettings.lease) > 0) {
            throw new BadInputException("--auto-save (" + serverSettings.autoSave + ") must be at most --lease ("
                    + serverSettings.lease + ")");
        }
        if (latency.isNegative() || jitter.isNegative() || jitter.compareTo(latency) > 0) {
            throw new BadInputException("--latency and --jitter must not be negative, and --jitter at most --latency;"
                    + " got --latency " + latency + " --jitter " + jitter);
        }
        if (clockSkew.isNegative()) {
            throw new BadInputException("--clock-skew must not be negative, was " + clockSkew);
        }
        List<Duration> positive = new ArrayList<>(List.of(duration));
        positive.addAll(serverSettings.all());
        positive.addAll(List.of(faultEvery, restartAfter));
        for (Duration d : positive) {
            if (d.isZero() || d.isNegative()) {
                throw new BadInputException("durations must be positive, got " + d);
            }
        }
        if (store != null) {
            try {
                dev.profileservice.spi.Backends.open(store).close();
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
        }
        long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        GameServerOptions g = serverSettings;
        SimConfig cfg = new SimConfig(
                store,
                profileStore,
                runDir,
                servers,
                players,
                duration,
                g.lease,
                g.autoSave,
                g.forceLoadTimeout,
                g.pollInterval,
                g.editInterval,
                giftsPerSecond,
                stormGifts,
                rollbacks,
                wipes,
                !noKill,
                !noFreeze,
                !noCut,
                faultEvery,
                freezeFor != null ? freezeFor : g.lease.plusSeconds(2),
                cutFor != null ? cutFor : g.lease.plusSeconds(1),
                restartAfter,
                lossSlack,
                clockSkew,
                latency,
                jitter,
                !noSlow,
                !noBusCut,
                !noPrimaryKill,
                actualSeed,
                childJvmOptions);
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        err.println("profiles simulate: " + servers + " servers, " + players + " players, " + duration.toSeconds()
                + " s, seed " + actualSeed + (store != null ? "" : " (SQLite in a fresh temp folder)"));
        err.flush();
        SimReport result = new Simulation(cfg, err, terminal).run();
        PrintWriter out = spec.commandLine().getOut();
        out.print(result.toText());
        out.flush();
        if (report != null) {
            Files.writeString(report, result.toJsonText(), StandardCharsets.UTF_8);
        }
        return result.passed() ? 0 : 1;
    }

    /** Fails, naming {@code option}, unless {@code min <= value <= max}. */
    private static void requireBetween(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new BadInputException(option + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
