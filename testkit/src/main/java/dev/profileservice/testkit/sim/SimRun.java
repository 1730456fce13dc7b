package dev.profileservice.testkit.sim;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.NotReleasedAction;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.spi.VersionPage;
import dev.profileservice.testkit.ConformanceHarness.PlayerData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One seed of the simulation: three game servers on one store, players loading (with every answer
 * a not-released handler can give), editing, releasing and hopping, senders giving gifts, an
 * operator releasing sessions, and faults (crashes, pauses past the lease, failing and slow store
 * calls, lost replies, lost, duplicated and late messages, skewed clocks). Then the faults heal,
 * every server releases, every key is drained of gifts, and the {@link SimOracle} checks what the
 * store holds. Everything runs on the calling thread.
 */
final class SimRun {
    static final String STORE = "sim";
    private static final int SERVERS = 3;
    private static final int KEYS = 3;

    private final long seed;
    private final int chaosSteps;
    private final SimWorld world;
    /** The faults in force; {@link #changeFaults} redraws them, {@link #heal} clears them. */
    private final SimFaults faults = new SimFaults();
    /** The store every server of this seed shares, seen without faults (the oracle and the operator use it). */
    private final Backend shared;

    private final SimOracle oracle;
    private final SimContext ctx;
    /** Owns the simulation's own timers (a paused server's resume); never paused or crashed. */
    private final SimProcess control;

    private final List<Server> servers = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /** The game servers' settings of this seed, drawn from its random source. */
    private final Timing timing;

    private boolean healing;
    private long events;
    final SimStats stats = new SimStats();

    /** A seed's lease, auto-save period, force-load timeout and poll interval. */
    private record Timing(Duration lease, Duration autoSave, Duration forceLoadTimeout, Duration pollInterval) {
        static Timing draw(Random r) {
            Duration lease = Duration.ofMillis(2_000 + 1_000L * r.nextInt(4));
            Duration forceLoadTimeout = lease.dividedBy(2);
            Duration autoSave = lease.dividedBy(2 + r.nextInt(3));
            return new Timing(lease, autoSave, forceLoadTimeout, forceLoadTimeout.dividedBy(2 + r.nextInt(3)));
        }
    }

    /** A future the run waits for once the faults heal (liveness). */
    private record Pending(Server server, SimProcess process, String what, CompletableFuture<?> future) {}

    /** One game server: its current process (a new one after each crash) and what it holds. */
    private final class Server {
        final String name;
        final long skewMillis;
        SimProcess process;
        SimStore store;
        ProfileStore<PlayerData> profiles;
        int runs;
        final Map<String, Profile<PlayerData>> held = new LinkedHashMap<>();
        final Map<String, Boolean> loading = new LinkedHashMap<>();

        Server(String name, long skewMillis) {
            this.name = name;
            this.skewMillis = skewMillis;
        }

        boolean up() {
            return process != null && process.isRunning();
        }

        /** Starts a new process for this server; false if its first heartbeat failed (tried again later). */
        boolean start() {
            SimProcess p = new SimProcess(world, name, skewMillis);
            SimStore s = new SimStore(shared, p, ctx);
            try {
                ProfileService service = ProfileService.builder()
                        .backend(s)
                        .placeId("place")
                        .jobId(name + "#" + (++runs))
                        .lease(timing.lease())
                        .autoSavePeriod(timing.autoSave())
                        .forceLoadTimeout(timing.forceLoadTimeout())
                        .pollInterval(timing.pollInterval())
                        .retryBackoffMax(
                                Duration.ofMillis(Math.max(100, timing.lease().toMillis() / 4)))
                        .clock(p.clock())
                        .scheduler(p.scheduler())
                        .storeExecutor(p.storeExecutor())
                        .listenerExecutor(p.listenerExecutor())
                        .random(new Random(world.random.nextLong()))
                        .shutdownHook(false)
                        .build();
                profiles = service.getProfileStore(STORE, new PlayerData());
            } catch (RuntimeException e) {
                trace(name, "start failed: " + e.getMessage());
                p.crash();
                return false;
            }
            process = p;
            store = s;
            held.clear();
            loading.clear();
            trace(name, "started (run " + runs + ", clock " + skewMillis + " ms off)");
            return true;
        }
    }

    SimRun(long seed, Backend shared, int chaosSteps, Set<PlantedBug> bugs, SimWorld world) {
        this.seed = seed;
        this.chaosSteps = chaosSteps;
        this.world = world;
        this.shared = shared;
        Random r = world.random;
        this.timing = Timing.draw(r);
        this.oracle = new SimOracle(world, shared, STORE, timing.lease().toMillis());
        this.ctx = new SimContext(world, faults, new SimBus(world, faults), oracle, bugs);
        this.control = new SimProcess(world, "sim", 0);
        for (int i = 0; i < KEYS; i++) {
            keys.add("k" + i);
        }
        boolean skewed = r.nextBoolean();
        for (int i = 0; i < SERVERS; i++) {
            long skew = skewed
                    ? r.nextLong(
                            -2 * timing.lease().toMillis(), 2 * timing.lease().toMillis() + 1)
                    : 0;
            servers.add(new Server("s" + i, skew));
        }
    }

    /** Runs the seed; returns the first violation, or null. */
    String run() {
        trace(
                "sim",
                "seed " + seed + ": lease " + timing.lease().toMillis() + " ms, auto-save "
                        + timing.autoSave().toMillis()
                        + " ms, force-load timeout " + timing.forceLoadTimeout().toMillis() + " ms, poll "
                        + timing.pollInterval().toMillis()
                        + " ms, planted " + ctx.bugs());
        for (Server s : servers) {
            s.start();
        }
        for (int step = 0; step < chaosSteps && oracle.violation() == null; step++) {
            if (world.hasRunnableTask() && world.random.nextInt(10) < 7) {
                world.runOne();
            } else {
                act();
            }
        }
        if (oracle.violation() == null) {
            heal();
        }
        if (oracle.violation() == null) {
            drain();
        }
        stats.tasks = world.tasksRun();
        stats.virtualMillis = world.now();
        return oracle.violation();
    }

    // ---------------------------------------------------------------- chaos

    /** A step the chaos phase may take, {@code weight} times in a hundred. */
    private record Action(int weight, Runnable step) {}

    private final List<Action> actions = List.of(
            new Action(22, () -> load(randomUp(), randomKey(), null)),
            new Action(20, this::edit),
            new Action(4, () -> withHeld((s, key, p) -> saveSoon(p))),
            new Action(10, () -> withHeld(this::release)),
            new Action(5, this::hop),
            new Action(11, this::gift),
            new Action(1, this::adminRelease),
            new Action(1, this::adminRollback),
            new Action(2, this::crash),
            new Action(3, this::restart),
            new Action(2, this::pause),
            new Action(4, this::changeFaults),
            new Action(15, this::letTimePass));

    private void act() {
        int roll = world.random.nextInt(100);
        for (Action a : actions) {
            if (roll < a.weight()) {
                a.step().run();
                return;
            }
            roll -= a.weight();
        }
    }

    private static void saveSoon(Profile<PlayerData> p) {
        try {
            p.save();
        } catch (IllegalStateException lost) {
            // the session ended meanwhile
        }
    }

    /** Up to a lease of virtual time, or to the next timer if sooner. */
    private void letTimePass() {
        long to =
                Math.min(world.now() + 1 + world.random.nextLong(timing.lease().toMillis()), world.nextTimer());
        world.advanceTo(to == Long.MAX_VALUE ? world.now() + 1 : to);
    }

    private void load(Server s, String key, NotReleasedHandler fixed) {
        if (s == null) {
            return;
        }
        Profile<PlayerData> before = s.held.get(key);
        if (before != null && !before.isActive()) {
            s.held.remove(key); // released; its release listener has not run yet
        }
        if (s.held.containsKey(key) || s.loading.containsKey(key)) {
            return;
        }
        stats.loads++;
        SimProcess process = s.process;
        NotReleasedHandler handler = (placeId, jobId) -> {
            NotReleasedAction answer = fixed != null ? fixed.onNotReleased(placeId, jobId) : randomAnswer();
            trace(s.name, "load " + key + ": held by " + jobId + ", answers " + answer);
            if (answer == NotReleasedAction.FORCE_LOAD || answer == NotReleasedAction.STEAL) {
                oracle.forceAsked(key);
            }
            return answer;
        };
        trace(s.name, "load " + key);
        s.loading.put(key, true);
        CompletableFuture<Optional<Profile<PlayerData>>> f = s.profiles.loadProfileAsync(key, handler);
        track(s, "load of " + key + " on " + s.name, f);
        f.whenComplete((profile, failure) -> {
            if (s.process != process || process.isCrashed()) {
                return;
            }
            s.loading.remove(key);
            if (failure != null) {
                trace(s.name, "load " + key + " failed: " + failure);
            } else if (profile.isEmpty()) {
                trace(s.name, "load " + key + " cancelled");
            } else {
                loaded(s, key, profile.get());
            }
        });
    }

    private NotReleasedAction randomAnswer() {
        int a = world.random.nextInt(100);
        return a < 50
                ? NotReleasedAction.REPEAT
                : a < 65 ? NotReleasedAction.CANCEL : a < 95 ? NotReleasedAction.FORCE_LOAD : NotReleasedAction.STEAL;
    }

    private void loaded(Server s, String key, Profile<PlayerData> p) {
        trace(s.name, "loaded " + key + " " + p.getData().items);
        if (!p.isActive()) {
            trace(s.name, key + " was lost again before the game saw it");
            return;
        }
        s.held.put(key, p);
        p.listenToRelease(() -> {
            trace(s.name, key + " released or lost");
            s.held.remove(key, p);
        });
        processGifts(p);
        if (healing) {
            release(s, key, p); // once healed, nobody keeps a profile: every waiting load must get its turn
        }
    }

    /** As a game does: lock what arrives; apply and clear each locked gift in one edit. */
    private void processGifts(Profile<PlayerData> p) {
        GlobalUpdates g = p.getGlobalUpdates();
        g.listenToNewActiveUpdate((id, data) -> lock(g, id));
        g.listenToNewLockedUpdate((id, data) -> applyGift(p, id, data));
        for (GlobalUpdate u : g.getLockedUpdates()) {
            applyGift(p, u.id(), u.data());
        }
        for (GlobalUpdate u : g.getActiveUpdates()) {
            lock(g, u.id());
        }
    }

    private static void lock(GlobalUpdates g, long id) {
        try {
            g.lockActiveUpdate(id);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // the session ended, or the gift is locked already
        }
    }

    private static void applyGift(Profile<PlayerData> p, long id, Map<String, Object> data) {
        try {
            p.edit(d -> {
                p.getGlobalUpdates().clearLockedUpdate(id); // first: throws if applied already
                d.items.add(String.valueOf(data.get("gift")));
            });
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // the session ended: the next owner applies it
        }
    }

    private void edit() {
        withHeld((s, key, p) -> {
            String item = "e:" + (++events);
            try {
                p.edit(d -> d.items.add(item));
                stats.edits++;
                trace(s.name, "edit " + key + " +" + item);
            } catch (IllegalStateException lost) {
                // the session ended meanwhile
            }
        });
    }

    private void release(Server s, String key, Profile<PlayerData> p) {
        if (!p.isActive()) {
            return;
        }
        List<String> items = List.copyOf(p.getData().items);
        String serverId = s.store.serverId();
        SimProcess process = s.process;
        stats.releases++;
        trace(s.name, "release " + key + " " + items);
        CompletableFuture<Void> f = p.releaseAsync();
        track(s, "release of " + key + " on " + s.name, f);
        f.whenComplete((v, failure) -> {
            if (failure == null && !process.isCrashed()) {
                trace(s.name, "release of " + key + " acknowledged");
                oracle.releaseAcknowledged(process, serverId, key, items);
            }
        });
    }

    /** A player moves: released on one server, loaded (waiting for that release) on another. */
    private void hop() {
        withHeld((from, key, p) -> {
            Server to = randomUp();
            if (to != null && to != from) {
                trace(from.name, "hop of " + key + " to " + to.name);
                release(from, key, p);
                load(to, key, (placeId, jobId) -> NotReleasedAction.REPEAT);
            }
        });
    }

    private void gift() {
        Server s = randomUp();
        if (s == null) {
            return;
        }
        String key = randomKey();
        String gift = "g:" + (++events);
        stats.gifts++;
        trace(s.name, "gift " + gift + " to " + key);
        CompletableFuture<Optional<GlobalUpdates>> f =
                s.profiles.globalUpdateProfileAsync(key, g -> g.addActiveUpdate(Map.of("gift", gift)));
        track(s, "gift " + gift + " to " + key + " from " + s.name, f);
    }

    private void adminRelease() {
        String key = randomKey();
        BackendAdmin admin = shared.admin().orElse(null);
        if (admin == null || shared.read(STORE, key).owner() == null) {
            return;
        }
        stats.adminReleases++;
        trace("admin", "force-release " + key);
        admin.forceRelease(STORE, key);
        oracle.releasedByAdmin(key);
    }

    /** An operator puts a kept version back (the rollback), ending any live session on the key. */
    private void adminRollback() {
        String key = randomKey();
        VersionHistory history = shared.history().orElse(null);
        if (history == null) {
            return;
        }
        List<StoredVersion> versions = history.versions(STORE, key, VersionPage.newestFirst(8));
        if (versions.isEmpty()) {
            return;
        }
        StoredVersion v = versions.get(world.random.nextInt(versions.size()));
        stats.adminRollbacks++;
        trace("admin", "roll " + key + " back to version " + v.revision() + " " + SimOracle.items(v.payload()));
        StoredProfile after = history.overwrite(STORE, key, v.payload(), false, VersionCause.OVERWRITE, null);
        if (!after.isEmpty()) {
            oracle.overwritten(key, after);
        }
    }

    private void crash() {
        Server s = randomUp();
        if (s == null) {
            return;
        }
        stats.crashes++;
        trace(s.name, "CRASH");
        s.process.crash();
        pending.values().removeIf(p -> p.process == s.process); // a dead process answers nobody
    }

    private void restart() {
        for (Server s : servers) {
            if (s.process == null || s.process.isCrashed()) {
                s.start();
                return;
            }
        }
    }

    private void pause() {
        Server s = randomUp();
        if (s == null) {
            return;
        }
        long millis = timing.lease().toMillis() / 2
                + world.random.nextLong(2 * timing.lease().toMillis());
        stats.pauses++;
        trace(s.name, "PAUSE for " + millis + " ms");
        SimProcess p = s.process;
        p.pause();
        world.schedule(control, millis, () -> {
            p.resume();
            trace(s.name, "resumed");
        });
    }

    private void changeFaults() {
        Random r = world.random;
        faults.failBefore = pick(r, 0, 0, 0.05, 0.3);
        faults.lostReply = pick(r, 0, 0, 0.05, 0.3);
        faults.slow = pick(r, 0, 0.1, 0.5);
        faults.slowMillis = r.nextBoolean()
                ? timing.lease().toMillis() / 4
                : 2 * timing.lease().toMillis();
        faults.messageLoss = pick(r, 0, 0, 0.3, 1);
        faults.messageDuplicate = pick(r, 0, 0.3);
        faults.messageDelayMillis =
                (long) pick(r, 0, 20, 500, 3 * timing.lease().toMillis());
        stats.faultChanges++;
        trace("sim", "faults: " + faults);
    }

    private static double pick(Random r, double... choices) {
        return choices[r.nextInt(choices.length)];
    }

    // ---------------------------------------------------------------- heal, drain

    /** Faults stop, paused servers resume, crashed ones come back, everyone releases; every waiting call must then finish. */
    private void heal() {
        healing = true;
        faults.heal();
        trace("sim", "HEAL");
        for (Server s : servers) {
            if (s.process != null && s.process.isPaused()) {
                s.process.resume();
            }
            if ((s.process == null || s.process.isCrashed()) && !s.start()) {
                oracle.liveness(s.name + " could not start once the faults healed");
                return;
            }
            for (Map.Entry<String, Profile<PlayerData>> e : List.copyOf(s.held.entrySet())) {
                release(s, e.getKey(), e.getValue());
            }
        }
        long deadline = world.now() + 10 * timing.lease().toMillis() + 60_000;
        runUntil(() -> pending.values().stream().allMatch(p -> p.future.isDone()), deadline);
        for (Pending p : pending.values()) {
            if (!p.future.isDone()) {
                oracle.liveness("after the faults healed, the " + p.what + " did not finish within "
                        + (10 * timing.lease().toMillis() + 60_000) / 1000 + " s");
                return;
            }
        }
    }

    /** Each key is loaded once more, its gifts applied, and released; then every accepted gift must be there once. */
    private void drain() {
        healing = false;
        for (String key : keys) {
            Server s = servers.get(world.random.nextInt(servers.size()));
            load(s, key, NotReleasedHandler.FORCE_LOAD);
            long deadline = world.now() + 10 * timing.lease().toMillis() + 60_000;
            runUntil(() -> drainedOn(s, key), deadline);
            Profile<PlayerData> p = s.held.get(key);
            if (p == null || !drainedOn(s, key)) {
                oracle.liveness("the drain of " + key + " on " + s.name + " did not finish: "
                        + (p == null ? "not loaded" : "gifts still waiting"));
                return;
            }
            release(s, key, p);
            runUntil(
                    () -> !s.held.containsKey(key) && pending.values().stream().allMatch(x -> x.future.isDone()),
                    deadline);
        }
        oracle.drained(keys);
    }

    private boolean drainedOn(Server s, String key) {
        Profile<PlayerData> p = s.held.get(key);
        return p != null
                && p.getGlobalUpdates().getActiveUpdates().isEmpty()
                && p.getGlobalUpdates().getLockedUpdates().isEmpty()
                && shared.readUpdates(STORE, key).updates().isEmpty()
                && SimOracle.lockedIn(shared.read(STORE, key).payload()).isEmpty();
    }

    private void runUntil(java.util.function.BooleanSupplier done, long deadline) {
        while (!done.getAsBoolean() && world.now() <= deadline && oracle.violation() == null) {
            if (!world.runOne()) {
                long next = world.nextTimer();
                if (next == Long.MAX_VALUE) {
                    return;
                }
                world.advanceTo(next);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private interface HeldAction {
        void run(Server s, String key, Profile<PlayerData> p);
    }

    private void withHeld(HeldAction action) {
        List<Server> up = new ArrayList<>();
        for (Server s : servers) {
            if (s.up() && !s.held.isEmpty()) {
                up.add(s);
            }
        }
        if (up.isEmpty()) {
            return;
        }
        Server s = up.get(world.random.nextInt(up.size()));
        List<String> held = new ArrayList<>(s.held.keySet());
        String key = held.get(world.random.nextInt(held.size()));
        action.run(s, key, s.held.get(key));
    }

    private Server randomUp() {
        List<Server> up = new ArrayList<>();
        for (Server s : servers) {
            if (s.up()) {
                up.add(s);
            }
        }
        return up.isEmpty() ? null : up.get(world.random.nextInt(up.size()));
    }

    private String randomKey() {
        return keys.get(world.random.nextInt(keys.size()));
    }

    private void track(Server s, String what, CompletableFuture<?> f) {
        String id = what + " #" + (++events);
        pending.put(id, new Pending(s, s.process, what, f));
        f.whenComplete((v, e) -> pending.remove(id));
    }

    private void trace(String who, String what) {
        world.trace().add(world.now(), who, what);
    }
}
