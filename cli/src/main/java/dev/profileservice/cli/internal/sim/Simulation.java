package dev.profileservice.cli.internal.sim;

import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.BackendUris;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * The parent process of {@code profiles simulate}: starts the game servers, lets the players play
 * while gifts arrive and faults strike, then drains, stops the servers gracefully and checks the
 * store. The work is split among:
 * <ul>
 *   <li>{@link ServerSupervisor}: the child processes ({@link ServerNode}), their start, restart and end;</li>
 *   <li>{@link EventIntake}: the children's events, into the {@link SimHistory} the report checks;</li>
 *   <li>{@link PlayerDriver}: the players' joins, hops and leaves;</li>
 *   <li>{@link GiftSender}: the admin gifts;</li>
 *   <li>{@link AdminDriver}: the admin rollbacks and wipes on the rollback cohort;</li>
 *   <li>{@link FaultInjector}: kill -9, SIGSTOP, connection cuts (through {@link StoreLinks}), crashes after an outage;</li>
 *   <li>{@link FinalStore} and {@link SimReport}: what the store holds at the end, and the checks.</li>
 * </ul>
 *
 * <p>Threads: {@link #run} drives players and faults from the calling thread (a step every 10 ms);
 * one reader thread per child turns its output into events; four threads send gifts; one runs the
 * admin's rollbacks and wipes; one prints
 * progress. All run state is guarded by one lock, the simulation lock, which the parts share.
 */
public final class Simulation {

    /** The simulation lock. */
    private final Object lock = new Object();

    private final SimConfig cfg;
    private final PrintWriter progressOut;
    private final boolean terminal;
    /** The run's random choices, seeded by {@code --seed}; used under the lock. */
    private final Random rnd;

    private final String runId;

    public Simulation(SimConfig cfg, PrintWriter progressOut, boolean terminal) {
        this.cfg = cfg;
        this.progressOut = progressOut;
        this.terminal = terminal;
        this.rnd = new Random(cfg.seed());
        this.runId = Long.toHexString(cfg.seed() ^ System.nanoTime()).substring(0, 6);
    }

    /** Runs the whole simulation and returns its report. Blocks for about the configured duration plus the drain. */
    public SimReport run() throws IOException, InterruptedException {
        Path runDir = cfg.runDir() != null
                ? Files.createDirectories(cfg.runDir())
                : Files.createTempDirectory("profiles-simulate-");
        String uri = cfg.storeUri() != null ? cfg.storeUri() : "sqlite:" + runDir.resolve("profiles.db");
        String storeName = cfg.profileStore() != null ? cfg.profileStore() : "Simulation_" + runId;
        SimHistory history = new SimHistory();
        try (ProfileService admin = ProfileService.builder()
                        .backend(uri)
                        .placeId("simulation-admin")
                        .jobId("admin-" + runId)
                        .lease(cfg.lease())
                        .autoSavePeriod(cfg.autoSave())
                        .forceLoadTimeout(cfg.forceLoadTimeout())
                        .pollInterval(cfg.pollInterval())
                        .build();
                StoreLinks links = StoreLinks.open(uri, cfg.servers(), cfg.cut())) {
            ProfileStore<SimPlayerData> adminStore = admin.getProfileStore(storeName, new SimPlayerData());
            Run run = new Run(runDir, storeName, links, adminStore, history);
            run.play();
            FinalStore stored = FinalStore.read(adminStore, run.players.keys());
            synchronized (lock) {
                return SimReport.build(
                        new SimReport.Input(cfg, runDir, BackendUris.mask(uri), storeName, history, stored));
            }
        }
    }

    /** The parts of one run, wired together; driven by the thread that called {@link #run}. */
    private final class Run {
        final SimHistory history;
        final SimContext sim;
        final ServerSupervisor servers;
        final PlayerDriver players;
        final FaultInjector faults;
        final GiftSender gifts;
        final AdminDriver admin;

        Run(
                Path runDir,
                String storeName,
                StoreLinks links,
                ProfileStore<SimPlayerData> adminStore,
                SimHistory history) {
            this.history = history;
            this.sim = new SimContext(lock, cfg, rnd, new Timers(), history);
            this.servers = new ServerSupervisor(sim, runDir, new ServerCommand(cfg, links, storeName));
            this.players = new PlayerDriver(sim, servers);
            this.faults = new FaultInjector(sim, servers, players, links);
            this.gifts = new GiftSender(sim, adminStore, runId, players);
            this.admin = new AdminDriver(sim, adminStore, players);
        }

        /** Starts the servers, plays for the configured duration, then drains; every child has exited on return. */
        void play() throws InterruptedException {
            ProgressPrinter progress = null;
            try {
                synchronized (lock) {
                    servers.startAll(new EventIntake(history, players));
                }
                servers.awaitReady(60_000);
                long startAt = System.currentTimeMillis();
                long endAt = startAt + cfg.duration().toMillis();
                synchronized (lock) {
                    players.begin(startAt);
                    admin.begin(startAt);
                }
                progress = new ProgressPrinter(sim, progressOut, terminal, players);
                progress.start(startAt);
                long nextFault = startAt + Math.min(2_000, cfg.faultEvery().toMillis());
                long stormAt = cfg.stormGifts() > 0 ? startAt + cfg.duration().toMillis() / 3 : Long.MAX_VALUE;
                String celebrity = players.keys().get(0);
                double giftsDue = 0;
                long lastStep = startAt;
                long now;
                while ((now = System.currentTimeMillis()) < endAt) {
                    giftsDue += (now - lastStep) / 1000.0 * cfg.giftsPerSecond();
                    lastStep = now;
                    for (; giftsDue >= 1; giftsDue--) {
                        gifts.send();
                    }
                    if (now >= stormAt) {
                        stormAt = Long.MAX_VALUE;
                        gifts.storm(
                                celebrity,
                                cfg.stormGifts(),
                                Duration.ofMillis(
                                        Math.min(10_000, cfg.duration().toMillis() / 4)),
                                now);
                    }
                    synchronized (lock) {
                        if (now >= nextFault && now < endAt - 1_500) {
                            nextFault =
                                    now + (faults.inject(now) ? cfg.faultEvery().toMillis() : 250);
                        }
                        if (now < endAt - 1_500) {
                            admin.step(now);
                        }
                        if (history.storm != null && history.storm.running()) {
                            players.hurry(celebrity, now); // the popular player changes servers during the storm
                        }
                        step(now);
                    }
                    Thread.sleep(10);
                }
                drain();
            } finally {
                if (progress != null) {
                    progress.stop();
                }
                gifts.abandon();
                admin.abandon();
                servers.destroyAll();
            }
        }

        /** Runs the timed actions that are due, then the players' next actions. Caller holds the lock. */
        private void step(long now) {
            sim.timers().runDue(now);
            players.step(now);
        }

        private void drain() throws InterruptedException {
            synchronized (lock) {
                players.drain();
                faults.healAll();
            }
            gifts.finish();
            // a player retired for a wipe is leaving: wipe it once it is gone (it never comes back)
            stepUntil(cfg.freezeFor().toMillis() + 10_000, 20, () -> admin.wipeSettled(System.currentTimeMillis()));
            admin.finish();
            // every player back online, so that every gift is delivered
            stepUntil(3 * cfg.lease().toMillis() + cfg.forceLoadTimeout().toMillis() + 30_000, 20, players::allOnline);
            // every acknowledged gift applied (reported by a server)
            stepUntil(4 * cfg.autoSave().toMillis() + 20_000, 50, history::allAckedGiftsApplied);
            // graceful shutdown: every server releases every profile with a final save
            servers.stopAll(60_000);
        }

        /** Steps every {@code pollMs} until {@code done} (checked under the lock) or {@code timeoutMs} passed. */
        private void stepUntil(long timeoutMs, long pollMs, BooleanSupplier done) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (System.currentTimeMillis() < deadline) {
                synchronized (lock) {
                    step(System.currentTimeMillis());
                    if (done.getAsBoolean()) {
                        return;
                    }
                }
                Thread.sleep(pollMs);
            }
        }
    }
}
