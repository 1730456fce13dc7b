package dev.profileservice.cli.internal.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.cli.internal.Json;
import dev.profileservice.spi.BackendUris;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The parent process of {@code profiles simulate}: starts the game-server child processes
 * ({@link ServerNode}), drives the simulated players and the admin gifts, injects the faults
 * (kill -9, SIGSTOP, connection cuts through {@link StoreLinks}), then drains, stops the servers
 * gracefully and checks the store ({@link SimReport}).
 *
 * <p>Threads: {@link #run} drives players and faults from the calling thread; one reader thread per
 * child turns its output lines into events; a small pool sends gifts; one thread prints progress.
 * All shared state is guarded by {@code this}.
 */
public final class Simulation {

    enum PlayerState { OFFLINE, JOINING, ONLINE, LEAVING }

    /** Why a join was sent; decides which figure its latency counts towards. */
    enum JoinKind { FRESH, HOP, HANDOVER, AFTER_KILL, AFTER_FREEZE, DURING_CUT, DRAIN }

    static final class Player {
        final String key;
        PlayerState state = PlayerState.OFFLINE;
        ServerProcess server;
        ServerProcess target;
        long req;
        long epoch = -1;
        long nextActionAt;
        boolean hopAfterLeave;
        JoinKind nextKind = JoinKind.FRESH;
        long nextFaultAt;
        JoinKind kind;
        long faultAt;

        Player(String key) {
            this.key = key;
        }
    }

    /** Everything known about one session (key, epoch). */
    static final class SessionRec {
        final String key;
        final long epoch;
        String job;
        long loaded = -1;
        long loadedLastEditAt;
        long joinedAt;
        double joinMs = Double.NaN;
        JoinKind kind;
        long faultAt;
        long endedCounter = -1;
        long endedAt;
        long tickCounter = -1;

        SessionRec(String key, long epoch) {
            this.key = key;
            this.epoch = epoch;
        }
    }

    record Acq(String job, long epoch, long expectedEpoch, long t0, long t1) {
    }

    /** A successful heartbeat: started at {@code t0} (micros), lease valid until {@code expiresAtMillis}. */
    record Heartbeat(long t0, long expiresAtMillis) {
    }

    record Save(String job, long epoch, boolean release, String status, long t0, long t1) {
    }

    record Fault(String kind, String job, long at, long until) {
    }

    static final class Gift {
        final String id;
        final String key;
        Boolean acked;
        String error;

        Gift(String id, String key) {
            this.id = id;
            this.key = key;
        }
    }

    /** One child process (one incarnation of a server slot). */
    final class ServerProcess {
        final int slot;
        final int incarnation;
        final String job;
        Process process;
        BufferedWriter stdin;
        boolean ready;
        boolean dead;
        boolean frozen;
        boolean killedByUs;
        boolean shutdownRequested;
        boolean bye;
        long killAt;
        long cutUntil;
        long healedAt;
        long lastSavedAt;
        /** When a kill is planned shortly after this server's store connection heals, else 0. */
        long killAfterOutageAt;
        final Map<Long, String> pending = new HashMap<>();

        ServerProcess(int slot, int incarnation) {
            this.slot = slot;
            this.incarnation = incarnation;
            this.job = "server-" + slot + (incarnation == 0 ? "" : "-r" + incarnation);
        }

        void send(Map<String, Object> command) {
            if (dead) {
                return;
            }
            try {
                stdin.write(Json.write(command));
                stdin.write('\n');
                stdin.flush();
            } catch (IOException e) {
                // it died; the reader thread reports the exit
            }
        }

        boolean usable(long now) {
            return ready && !dead && !frozen && !shutdownRequested && cutUntil <= now;
        }

        /**
         * Ready for the next fault: usable, with no kill still planned after its last outage. Not
         * "saved something since": the library must resume saving at once by itself, and the kill
         * that follows an outage checks it.
         */
        boolean recovered(long now) {
            return usable(now) && killAfterOutageAt == 0;
        }
    }

    private final SimConfig cfg;
    private final PrintWriter progressOut;
    private final boolean terminal;
    private final Random rnd;
    private final String runId;
    private Path runDir;
    private String uri;
    private String storeName;
    private StoreLinks links;
    private final ServerProcess[] slots;
    private final List<ServerProcess> allProcesses = new ArrayList<>();
    private final Map<String, ServerProcess> byJob = new HashMap<>();
    private final List<Player> players = new ArrayList<>();
    private final Map<String, Player> playersByKey = new HashMap<>();
    private final Map<String, SessionRec> sessions = new HashMap<>();
    private final Map<String, List<Acq>> acquires = new HashMap<>();
    private final Map<String, List<Save>> saves = new HashMap<>();
    private final Map<String, List<Heartbeat>> heartbeats = new HashMap<>();
    private final Map<String, Gift> gifts = new LinkedHashMap<>();
    private final Map<String, Integer> giftEvents = new HashMap<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<String> issues = new ArrayList<>();
    private final List<String> unexpectedExits = new ArrayList<>();
    private final List<String> joinFailures = new ArrayList<>();
    private final List<long[]> timed = new ArrayList<>();
    private final List<Runnable> timedActions = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private long issueCount;
    private long joins;
    private long hops;
    private long handovers;
    private long hopsAtLastProgress;
    private long lastProgressAt;
    private long giftsSent;
    private long giftsAcked;
    private int kills;
    private int freezes;
    private int cuts;
    private int faultRotation;
    private long startAt;
    private long endAt;
    private boolean draining;
    private ProfileService admin;
    private ProfileStore<SimPlayerData> adminStore;

    public Simulation(SimConfig cfg, PrintWriter progressOut, boolean terminal) {
        this.cfg = cfg;
        this.progressOut = progressOut;
        this.terminal = terminal;
        this.rnd = new Random(cfg.seed());
        this.runId = Long.toHexString(cfg.seed() ^ System.nanoTime()).substring(0, 6);
        this.slots = new ServerProcess[cfg.servers()];
    }

    /** Runs the whole simulation and returns its report. Blocks for about the configured duration plus the drain. */
    public SimReport run() throws IOException, InterruptedException {
        runDir = cfg.runDir() != null ? Files.createDirectories(cfg.runDir()) : Files.createTempDirectory("profiles-simulate-");
        uri = cfg.storeUri() != null ? cfg.storeUri() : "sqlite:" + runDir.resolve("profiles.db");
        storeName = cfg.profileStore() != null ? cfg.profileStore() : "Simulation_" + runId;
        for (int i = 0; i < cfg.players(); i++) {
            Player p = new Player(String.format(Locale.ROOT, "player-%04d", i));
            players.add(p);
            playersByKey.put(p.key, p);
        }
        admin = ProfileService.builder().backend(uri).placeId("simulation-admin").jobId("admin-" + runId)
                .lease(cfg.lease()).autoSavePeriod(cfg.autoSave()).forceLoadTimeout(cfg.forceLoadTimeout())
                .pollInterval(cfg.pollInterval()).build();
        ExecutorService giftPool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "sim-gift");
            t.setDaemon(true);
            return t;
        });
        Thread progress = null;
        try {
            adminStore = admin.getProfileStore(storeName, new SimPlayerData());
            links = StoreLinks.open(uri, cfg.servers(), cfg.cut());
            synchronized (this) {
                for (int i = 0; i < cfg.servers(); i++) {
                    startProcess(i, 0);
                }
            }
            awaitReady(60_000);
            long now = System.currentTimeMillis();
            synchronized (this) {
                startAt = now;
                endAt = now + cfg.duration().toMillis();
                for (Player p : players) {
                    p.nextActionAt = now + rnd.nextInt(1000);
                }
            }
            progress = new Thread(this::progressLoop, "sim-progress");
            progress.setDaemon(true);
            progress.start();
            long nextFault = startAt + Math.min(2_000, cfg.faultEvery().toMillis());
            double giftDebt = 0;
            long lastStep = startAt;
            while ((now = System.currentTimeMillis()) < endAt) {
                giftDebt += (now - lastStep) / 1000.0 * cfg.giftsPerSecond();
                lastStep = now;
                while (giftDebt >= 1) {
                    giftDebt -= 1;
                    sendGift(giftPool);
                }
                if (now >= nextFault && now < endAt - 1_500) {
                    if (injectFault(now)) {
                        nextFault = now + cfg.faultEvery().toMillis();
                    } else {
                        nextFault = now + 250;
                    }
                }
                step(now);
                Thread.sleep(10);
            }
            drain(giftPool);
        } finally {
            if (progress != null) {
                progress.interrupt();
                progress.join(2_000);
            }
            giftPool.shutdownNow();
            synchronized (this) {
                for (ServerProcess s : allProcesses) {
                    if (s.process.isAlive()) {
                        resume(s);
                        s.process.destroyForcibly();
                    }
                }
            }
            if (links != null) {
                links.close();
            }
        }
        try {
            return verify();
        } finally {
            admin.close();
        }
    }

    // ---------------------------------------------------------------- processes

    private void startProcess(int slot, int incarnation) {
        ServerProcess s = new ServerProcess(slot, incarnation);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        if (cfg.childJvmOptions() != null && !cfg.childJvmOptions().isBlank()) {
            cmd.addAll(List.of(cfg.childJvmOptions().trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("dev.profileservice.cli.Main");
        cmd.add("server-node");
        cmd.add("--store=" + links.uri(slot));
        cmd.add("--profile-store=" + storeName);
        cmd.add("--job-id=" + s.job);
        cmd.add("--lease-ms=" + cfg.lease().toMillis());
        cmd.add("--auto-save-ms=" + cfg.autoSave().toMillis());
        cmd.add("--force-load-timeout-ms=" + cfg.forceLoadTimeout().toMillis());
        cmd.add("--poll-ms=" + cfg.pollInterval().toMillis());
        cmd.add("--edit-interval-ms=" + cfg.editInterval().toMillis());
        cmd.add("--clock-offset-ms=" + cfg.clockOffset(slot).toMillis());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(runDir.resolve(s.job + ".log").toFile());
        try {
            s.process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a server process: " + e.getMessage(), e);
        }
        s.stdin = new BufferedWriter(new OutputStreamWriter(s.process.getOutputStream(), StandardCharsets.UTF_8));
        slots[slot] = s;
        allProcesses.add(s);
        byJob.put(s.job, s);
        Thread reader = new Thread(() -> readLoop(s), "sim-read-" + s.job);
        reader.setDaemon(true);
        reader.start();
    }

    private static String classPath() {
        String[] parts = System.getProperty("java.class.path").split(java.io.File.pathSeparator);
        List<String> abs = new ArrayList<>();
        for (String p : parts) {
            if (!p.isBlank()) {
                abs.add(Path.of(p).toAbsolutePath().toString());
            }
        }
        return String.join(java.io.File.pathSeparator, abs);
    }

    private void awaitReady(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (this) {
            while (true) {
                boolean all = true;
                for (ServerProcess s : slots) {
                    if (s.dead) {
                        throw new IllegalStateException("server process " + s.job + " exited during start-up; see "
                                + runDir.resolve(s.job + ".log"));
                    }
                    all &= s.ready;
                }
                if (all) {
                    return;
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new IllegalStateException("server processes not ready after " + timeoutMs / 1000
                            + " s; see logs in " + runDir);
                }
                wait(Math.min(left, 200));
            }
        }
    }

    private void readLoop(ServerProcess s) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(s.process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter events = Files.newBufferedWriter(runDir.resolve(s.job + ".events.jsonl"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                events.write(line);
                events.write('\n');
                JsonNode ev;
                try {
                    ev = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    synchronized (this) {
                        issue(s.job + ": unreadable line: " + line);
                    }
                    continue;
                }
                synchronized (this) {
                    onEvent(s, ev);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process died
        }
        try {
            s.process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            onExit(s);
            notifyAll();
        }
    }

    // ---------------------------------------------------------------- events (under the lock)

    private void onEvent(ServerProcess s, JsonNode ev) {
        String type = ev.path("ev").asText();
        long now = System.currentTimeMillis();
        switch (type) {
            case "acq" -> {
                String k = ev.path("k").asText();
                long e = ev.path("e").asLong();
                acquires.computeIfAbsent(k, x -> new ArrayList<>()).add(new Acq(s.job, e, ev.path("x").asLong(-1),
                        ev.path("t0").asLong(), ev.path("t1").asLong()));
                session(k, e).job = s.job;
            }
            case "save" -> {
                if (ev.path("st").asText().equals("SAVED")) {
                    s.lastSavedAt = now;
                }
                saves.computeIfAbsent(ev.path("k").asText(), x -> new ArrayList<>()).add(new Save(s.job,
                    ev.path("e").asLong(), ev.path("rel").asBoolean(), ev.path("st").asText(),
                    ev.path("t0").asLong(), ev.path("t1").asLong()));
            }
            case "hb" -> heartbeats.computeIfAbsent(s.job, x -> new ArrayList<>())
                    .add(new Heartbeat(ev.path("t0").asLong(), ev.path("exp").asLong()));
            case "ready" -> s.ready = true;
            case "joined" -> onJoined(s, ev, now);
            case "left" -> onLeft(s, ev, now);
            case "ended" -> onEnded(s, ev, now);
            case "tick" -> ev.path("c").properties().forEach(f -> {
                SessionRec r = session(f.getKey(), f.getValue().get(0).asLong());
                r.tickCounter = Math.max(r.tickCounter, f.getValue().get(1).asLong());
            });
            case "gift" -> giftEvents.merge(ev.path("g").asText(), 1, Integer::sum);
            case "issue" -> issue(s.job + ": " + ev.path("msg").asText());
            case "bye" -> {
                s.bye = true;
                if (ev.path("unreported").asInt() > 0) {
                    issue(s.job + ": " + ev.path("unreported").asInt() + " session(s) did not report their end at shutdown");
                }
            }
            default -> issue(s.job + ": unknown event " + ev);
        }
    }

    private SessionRec session(String key, long epoch) {
        return sessions.computeIfAbsent(key + "#" + epoch, x -> new SessionRec(key, epoch));
    }

    private void issue(String message) {
        issueCount++;
        if (issues.size() < 20) {
            issues.add(message);
        }
    }

    private void onJoined(ServerProcess s, JsonNode ev, long now) {
        long req = ev.path("req").asLong();
        s.pending.remove(req);
        Player p = playersByKey.get(ev.path("k").asText());
        boolean current = p != null && p.req == req;
        if (!ev.path("ok").asBoolean()) {
            if (joinFailures.size() < 10) {
                joinFailures.add(s.job + " " + ev.path("k").asText() + ": " + ev.path("error").asText());
            }
            if (current) {
                p.req = 0;
                p.state = PlayerState.OFFLINE;
                p.server = null;
                p.nextActionAt = now + 500;
            }
            return;
        }
        long epoch = ev.path("e").asLong();
        SessionRec r = session(ev.path("k").asText(), epoch);
        r.job = s.job;
        r.loaded = ev.path("loaded").asLong();
        r.loadedLastEditAt = ev.path("lastEditAt").asLong();
        r.joinedAt = ev.path("at").asLong();
        r.joinMs = ev.path("ms").asDouble();
        joins++;
        if (!current) {
            return;
        }
        r.kind = p.kind;
        r.faultAt = p.faultAt;
        if (p.kind == JoinKind.HOP || p.kind == JoinKind.HANDOVER) {
            hops++;
        }
        if (p.kind == JoinKind.HANDOVER) {
            handovers++;
        }
        p.req = 0;
        p.server = s;
        p.epoch = epoch;
        p.state = r.endedCounter >= 0 ? PlayerState.OFFLINE : PlayerState.ONLINE;
        p.nextActionAt = now + (p.state == PlayerState.ONLINE ? 1_000 + rnd.nextInt(3_000) : 300);
    }

    private void onLeft(ServerProcess s, JsonNode ev, long now) {
        long req = ev.path("req").asLong();
        s.pending.remove(req);
        Player p = playersByKey.get(ev.path("k").asText());
        if (p == null || p.req != req) {
            return;
        }
        p.req = 0;
        p.state = PlayerState.OFFLINE;
        p.server = null;
        p.nextKind = JoinKind.FRESH;
        p.nextFaultAt = 0;
        if (p.hopAfterLeave && !draining) {
            ServerProcess target = pick(s, now);
            if (target != null) {
                p.nextKind = JoinKind.HOP;
                sendJoin(p, target, now);
                return;
            }
        }
        p.nextActionAt = now + 500 + rnd.nextInt(2_500);
    }

    private void onEnded(ServerProcess s, JsonNode ev, long now) {
        String key = ev.path("k").asText();
        long epoch = ev.path("e").asLong();
        SessionRec r = session(key, epoch);
        r.job = s.job;
        r.endedCounter = ev.path("counter").asLong();
        r.endedAt = ev.path("at").asLong();
        Player p = playersByKey.get(key);
        if (p != null && p.state == PlayerState.ONLINE && p.server == s && p.epoch == epoch && p.req == 0) {
            // the session ended without being asked to (taken over): the player reconnects
            p.state = PlayerState.OFFLINE;
            p.server = null;
            p.nextKind = JoinKind.FRESH;
            p.nextActionAt = now + 300;
        }
    }

    private void onExit(ServerProcess s) {
        if (s.dead) {
            return;
        }
        s.dead = true;
        long now = System.currentTimeMillis();
        if (!s.shutdownRequested && !s.killedByUs) {
            unexpectedExits.add(s.job + " exited with code " + exitCode(s) + " (log: " + runDir.resolve(s.job + ".log") + ")");
            s.killAt = now;
            faults.add(new Fault("unexpected exit", s.job, now, now));
        }
        if (s.shutdownRequested) {
            return;
        }
        for (Player p : players) {
            if (p.state == PlayerState.JOINING && p.server == s && p.kind == JoinKind.HANDOVER) {
                p.kind = JoinKind.AFTER_KILL; // the owner it asked died: this is now a steal
                p.faultAt = s.killAt;
            }
            boolean onIt = (p.server == s && (p.state == PlayerState.ONLINE || p.state == PlayerState.LEAVING))
                    || (p.target == s && p.state == PlayerState.JOINING && p.req != 0);
            if (onIt) {
                p.req = 0;
                p.state = PlayerState.OFFLINE;
                p.server = null;
                p.nextKind = JoinKind.AFTER_KILL;
                p.nextFaultAt = s.killAt;
                p.nextActionAt = now + 300;
            }
        }
        s.pending.clear();
        if (slots[s.slot] == s) {
            long restartAt = now + cfg.restartAfter().toMillis();
            schedule(restartAt, () -> {
                if (slots[s.slot] == s && !allShutdown()) {
                    startProcess(s.slot, s.incarnation + 1);
                }
            });
        }
    }

    private boolean allShutdown() {
        for (ServerProcess s : slots) {
            if (s.shutdownRequested) {
                return true;
            }
        }
        return false;
    }

    private static String exitCode(ServerProcess s) {
        try {
            return String.valueOf(s.process.exitValue());
        } catch (IllegalThreadStateException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- driving (under the lock)

    private synchronized void step(long now) {
        runTimed(now);
        for (Player p : players) {
            if (p.req != 0 || now < p.nextActionAt) {
                continue;
            }
            if (p.state == PlayerState.OFFLINE) {
                ServerProcess target = pick(null, now);
                if (target != null) {
                    sendJoin(p, target, now);
                }
            } else if (p.state == PlayerState.ONLINE && !draining) {
                if (p.server == null || !p.server.recovered(now)) {
                    p.nextActionAt = now + 500;
                    continue;
                }
                double r = rnd.nextDouble();
                ServerProcess other = pick(p.server, now);
                if (r < 0.4 && other != null) {
                    p.nextKind = JoinKind.HANDOVER;
                    p.nextFaultAt = 0;
                    sendJoin(p, other, now);
                } else {
                    p.hopAfterLeave = r < 0.75;
                    sendLeave(p, now);
                }
            }
        }
    }

    private void sendJoin(Player p, ServerProcess target, long now) {
        long req = requests.incrementAndGet();
        p.req = req;
        p.target = target;
        p.kind = draining ? JoinKind.DRAIN : p.nextKind;
        p.faultAt = p.nextFaultAt;
        if (p.state != PlayerState.ONLINE) {
            p.server = null;
        }
        p.state = PlayerState.JOINING;
        p.nextKind = JoinKind.FRESH;
        p.nextFaultAt = 0;
        target.pending.put(req, p.key);
        target.send(Map.of("op", "join", "req", req, "k", p.key));
    }

    private void sendLeave(Player p, long now) {
        long req = requests.incrementAndGet();
        p.req = req;
        p.state = PlayerState.LEAVING;
        p.server.pending.put(req, p.key);
        p.server.send(Map.of("op", "leave", "req", req, "k", p.key));
    }

    private ServerProcess pick(ServerProcess exclude, long now) {
        List<ServerProcess> candidates = new ArrayList<>();
        for (ServerProcess s : slots) {
            if (s != null && s != exclude && s.recovered(now)) {
                candidates.add(s);
            }
        }
        return candidates.isEmpty() ? null : candidates.get(rnd.nextInt(candidates.size()));
    }

    private void schedule(long at, Runnable action) {
        timed.add(new long[]{at});
        timedActions.add(action);
    }

    private void runTimed(long now) {
        for (int i = 0; i < timed.size(); ) {
            if (timed.get(i)[0] <= now) {
                timed.remove(i);
                timedActions.remove(i).run();
            } else {
                i++;
            }
        }
    }

    // ---------------------------------------------------------------- faults (under the lock)

    private synchronized boolean injectFault(long now) {
        List<String> kinds = new ArrayList<>();
        if (cfg.kill()) {
            kinds.add("kill");
        }
        if (cfg.freeze()) {
            kinds.add("freeze");
        }
        if (links.cuttable()) {
            kinds.add("cut");
        }
        if (kinds.isEmpty()) {
            return true;
        }
        for (ServerProcess s : slots) {
            if (!s.recovered(now)) {
                return false; // one fault at a time: wait until the last one has healed and the server saves again
            }
        }
        for (Player p : players) {
            if (p.req != 0 && (p.kind == JoinKind.AFTER_KILL || p.kind == JoinKind.AFTER_FREEZE || p.kind == JoinKind.DURING_CUT)) {
                return false; // and until its players have found a new server (keeps steal times clean)
            }
        }
        String kind = kinds.get(faultRotation++ % kinds.size());
        ServerProcess victim = slots[rnd.nextInt(slots.length)];
        if (!kind.equals("cut") && slots.length < 2) {
            return true;
        }
        switch (kind) {
            case "kill" -> kill(victim, now);
            case "freeze" -> {
                if (!signal(victim, "-STOP")) {
                    return true;
                }
                victim.frozen = true;
                freezes++;
                long until = now + cfg.freezeFor().toMillis();
                faults.add(new Fault("SIGSTOP", victim.job, now, until));
                schedule(now + 1_000, () -> moveOff(victim, now));
                schedule(until, () -> resume(victim));
            }
            default -> {
                long until = now + cfg.cutFor().toMillis();
                links.cut(victim.slot, cfg.cutFor());
                victim.cutUntil = until;
                cuts++;
                for (Player p : players) {
                    if (p.state == PlayerState.JOINING && p.kind == JoinKind.HANDOVER && (p.server == victim || p.target == victim)) {
                        p.kind = JoinKind.DURING_CUT; // not a hand-over between healthy servers any more
                    }
                }
                faults.add(new Fault("connection cut", victim.job, now, until));
                if (cfg.kill()) {
                    // a crash shortly after the store comes back may lose only what an auto-save period
                    // holds: the saves that waited out the outage must have resumed at once
                    long at = until + 500 + rnd.nextInt(2_501);
                    victim.killAfterOutageAt = at;
                    schedule(at, () -> {
                        victim.killAfterOutageAt = 0;
                        if (slots[victim.slot] == victim && victim.usable(at)) {
                            kill(victim, System.currentTimeMillis());
                        }
                    });
                }
            }
        }
        return true;
    }

    private void kill(ServerProcess victim, long now) {
        victim.killedByUs = true;
        victim.killAt = now;
        victim.process.destroyForcibly();
        kills++;
        faults.add(new Fault("kill -9", victim.job, now, now));
    }

    /** The players of a frozen server give up on it and join elsewhere (FORCE_LOAD steals after the lease). */
    private void moveOff(ServerProcess frozen, long frozenAt) {
        if (!frozen.frozen) {
            return;
        }
        long now = System.currentTimeMillis();
        for (Player p : players) {
            if (p.state == PlayerState.JOINING && p.server == frozen && p.kind == JoinKind.HANDOVER) {
                p.kind = JoinKind.AFTER_FREEZE; // the owner it asked is frozen: this is now a steal
                p.faultAt = frozenAt;
            }
            if (p.server == frozen && p.state == PlayerState.ONLINE && p.req == 0) {
                p.state = PlayerState.OFFLINE;
                p.server = null;
                p.nextKind = JoinKind.AFTER_FREEZE;
                p.nextFaultAt = frozenAt;
                p.nextActionAt = now;
            }
        }
    }

    private void resume(ServerProcess s) {
        if (s.frozen) {
            signal(s, "-CONT");
            s.frozen = false;
            s.healedAt = System.currentTimeMillis();
        }
    }

    private boolean signal(ServerProcess s, String sig) {
        try {
            Process kill = new ProcessBuilder("kill", sig, Long.toString(s.process.pid())).redirectErrorStream(true).start();
            return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            issue("cannot send " + sig + " to " + s.job + ": " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---------------------------------------------------------------- gifts

    private void sendGift(ExecutorService pool) {
        Gift gift;
        int coins;
        synchronized (this) {
            Player p = players.get(rnd.nextInt(players.size()));
            gift = new Gift("g-" + runId + "-" + (giftsSent + 1), p.key);
            gifts.put(gift.id, gift);
            giftsSent++;
            coins = 1 + rnd.nextInt(100);
        }
        pool.execute(() -> {
            Boolean acked;
            String error = null;
            try {
                Optional<GlobalUpdates> r = adminStore.globalUpdateProfile(gift.key,
                        updates -> updates.addActiveUpdate(Map.of("giftId", gift.id, "coins", coins)));
                acked = r.isPresent();
            } catch (RuntimeException e) {
                acked = false;
                error = String.valueOf(e);
            }
            synchronized (this) {
                gift.acked = acked;
                gift.error = error;
                if (acked) {
                    giftsAcked++;
                }
            }
        });
    }

    // ---------------------------------------------------------------- progress

    private void progressLoop() {
        long lastPlain = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1_000);
                long now = System.currentTimeMillis();
                if (terminal) {
                    progressOut.print("\r" + progressLine() + "   ");
                    progressOut.flush();
                } else if (now - lastPlain >= 5_000) {
                    lastPlain = now;
                    progressOut.println(progressLine());
                    progressOut.flush();
                }
            }
        } catch (InterruptedException e) {
            if (terminal) {
                progressOut.println();
                progressOut.flush();
            }
        }
    }

    private synchronized String progressLine() {
        long now = System.currentTimeMillis();
        long online = players.stream().filter(p -> p.state == PlayerState.ONLINE).count();
        double seconds = Math.max(0.001, (now - (lastProgressAt == 0 ? startAt : lastProgressAt)) / 1000.0);
        double hopsPerSecond = (hops - hopsAtLastProgress) / seconds;
        hopsAtLastProgress = hops;
        lastProgressAt = now;
        long applied = gifts.keySet().stream().filter(giftEvents::containsKey).count();
        String phase = draining ? " [draining]" : "";
        return String.format(Locale.ROOT, "%5.1fs%s  online %d/%d  hops/s %.1f  gifts sent %d applied %d  faults: kill %d, stop %d, cut %d",
                (now - startAt) / 1000.0, phase, online, players.size(), hopsPerSecond, giftsSent, applied, kills, freezes, cuts);
    }

    // ---------------------------------------------------------------- drain and shutdown

    private void drain(ExecutorService giftPool) throws InterruptedException {
        synchronized (this) {
            draining = true;
            for (ServerProcess s : slots) {
                resume(s);
            }
        }
        giftPool.shutdown();
        giftPool.awaitTermination(60, TimeUnit.SECONDS);
        // every player back online, so that every gift is delivered
        long deadline = System.currentTimeMillis() + 3 * cfg.lease().toMillis() + cfg.forceLoadTimeout().toMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            long now = System.currentTimeMillis();
            step(now);
            synchronized (this) {
                if (players.stream().allMatch(p -> p.state == PlayerState.ONLINE && p.req == 0)) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        // every acknowledged gift applied (reported by a server)
        deadline = System.currentTimeMillis() + 4 * cfg.autoSave().toMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            step(System.currentTimeMillis());
            synchronized (this) {
                boolean all = gifts.values().stream().filter(g -> Boolean.TRUE.equals(g.acked))
                        .allMatch(g -> giftEvents.containsKey(g.id));
                if (all) {
                    break;
                }
            }
            Thread.sleep(50);
        }
        // graceful shutdown: every server releases every profile with a final save
        synchronized (this) {
            for (ServerProcess s : slots) {
                s.shutdownRequested = true;
                s.send(Map.of("op", "shutdown"));
            }
            deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                boolean all = true;
                for (ServerProcess s : slots) {
                    all &= s.dead;
                }
                if (all) {
                    break;
                }
                wait(100);
            }
            for (ServerProcess s : slots) {
                if (!s.dead) {
                    issue(s.job + " did not stop within 60 s of the shutdown command; killed");
                    s.process.destroyForcibly();
                }
            }
        }
    }

    // ---------------------------------------------------------------- verification

    private SimReport verify() {
        Map<String, SimPlayerData> finalData = new HashMap<>();
        Map<String, Integer> pendingUpdates = new HashMap<>();
        List<String> viewErrors = new ArrayList<>();
        for (Player p : players) {
            try {
                Optional<Profile<SimPlayerData>> view = adminStore.viewProfile(p.key);
                if (view.isPresent()) {
                    finalData.put(p.key, view.get().getData());
                    GlobalUpdates u = view.get().getGlobalUpdates();
                    pendingUpdates.put(p.key, u.getActiveUpdates().size() + u.getLockedUpdates().size());
                }
            } catch (RuntimeException e) {
                viewErrors.add(p.key + ": " + e);
            }
        }
        synchronized (this) {
            SimReport.Input in = new SimReport.Input(cfg, runDir, BackendUris.mask(uri), storeName,
                    cfg.duration().toMillis(), sessions, acquires, saves, heartbeats, gifts, giftEvents, faults, byJob.keySet(),
                    finalData, pendingUpdates, viewErrors, issues, issueCount, unexpectedExits, joinFailures,
                    joins, hops, handovers, giftsSent, giftsAcked, kills, freezes, cuts);
            return SimReport.build(in);
        }
    }
}
