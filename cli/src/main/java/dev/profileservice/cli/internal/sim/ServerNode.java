package dev.profileservice.cli.internal.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.cli.internal.Json;
import dev.profileservice.spi.Backends;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulated game server: the child process of {@code profiles simulate}. It runs a real
 * {@link ProfileService} on the shared store (through an {@link AuditingBackend}), and speaks a
 * line protocol with its parent: JSON commands on standard input ({@code join}, {@code leave},
 * {@code shutdown}), JSON events on standard output (audit records, joins, session ends, gifts
 * applied, edit counters). Logs go to standard error (a file, set up by the parent).
 *
 * <p>Threads: the main thread reads commands; joins and leaves run on a cached pool (they block);
 * edits run on one timer thread; global-update and release listeners run on the service's listener
 * executor. Writes to standard output are serialised by a lock, one line per event.
 *
 * <p>If standard input closes (the parent died) the process halts at once, leaving no orphans.
 */
public final class ServerNode {

    /**
     * Settings of one child, passed on its command line. {@code clockOffset} sets the service's
     * clock off the host's, as a server on another machine with a drifting clock would be;
     * {@code latency} and {@code jitter} delay each of its store calls (see {@link DegradedBackend}).
     */
    public record Settings(
            String uri,
            String storeName,
            String jobId,
            Duration lease,
            Duration autoSave,
            Duration forceLoadTimeout,
            Duration pollInterval,
            Duration editInterval,
            Duration clockOffset,
            Duration latency,
            Duration jitter) {}

    /** Versions each profile keeps: few, so that pruning runs during a simulation too. */
    static final int VERSIONS_KEPT = 8;

    private DegradedBackend degraded;
    private final Settings settings;
    private final BufferedWriter out =
            new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(Daemons.numbered("node-op"));
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Daemons.numbered("node-edit"));
    private final AtomicInteger issues = new AtomicInteger();
    private AuditingBackend audit;
    private ProfileService service;
    private ProfileStore<SimPlayerData> store;

    /** One loaded profile on this server. */
    private static final class Session {
        final String key;
        final long epoch;
        final Profile<SimPlayerData> profile;
        volatile long counter;
        volatile long lastEditAt;
        volatile long reportedCounter = -1;
        volatile boolean ended;

        Session(String key, long epoch, Profile<SimPlayerData> profile) {
            this.key = key;
            this.epoch = epoch;
            this.profile = profile;
        }
    }

    public ServerNode(Settings settings) {
        this.settings = settings;
    }

    /** Runs until {@code shutdown} (then returns) or until standard input closes (then halts). */
    public void run() throws IOException {
        degraded = new DegradedBackend(Backends.open(settings.uri()), settings.latency(), settings.jitter());
        audit = new AuditingBackend(degraded, new AuditingBackend.AuditSink() {
            @Override
            public void acquired(String key, long epoch, long expectedEpoch, long t0, long t1) {
                emit(Json.object("ev", "acq", "k", key, "e", epoch, "x", expectedEpoch, "t0", t0, "t1", t1));
            }

            @Override
            public void heartbeat(long expiresAtMillis, long t0, long t1) {
                emit(Json.object("ev", "hb", "exp", expiresAtMillis, "t0", t0, "t1", t1));
            }

            @Override
            public void saved(String key, long epoch, boolean release, String status, long t0, long t1) {
                emit(Json.object("ev", "save", "k", key, "e", epoch, "rel", release, "st", status, "t0", t0, "t1", t1));
            }
        });
        service = ProfileService.builder()
                .backend(audit)
                .placeId("simulation")
                .jobId(settings.jobId())
                .autoSavePeriod(settings.autoSave())
                .lease(settings.lease())
                .forceLoadTimeout(settings.forceLoadTimeout())
                .pollInterval(settings.pollInterval())
                // versions at the run's pace (the default keeps one every 5 minutes): the admin's
                // rollbacks need a few per player within seconds, and a short history gets pruned
                // while they run
                .versionInterval(settings.autoSave())
                .versionRetention(VERSIONS_KEPT, Duration.ZERO)
                .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), settings.clockOffset()))
                .build();
        service.issueSignal().connect(message -> {
            if (issues.incrementAndGet() <= 20) {
                emit(Json.object("ev", "issue", "msg", message));
            }
        });
        store = service.getProfileStore(settings.storeName(), new SimPlayerData());
        long editMs = settings.editInterval().toMillis();
        timer.scheduleAtFixedRate(this::editAll, editMs, editMs, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(this::tick, 200, 200, TimeUnit.MILLISECONDS);
        emit(Json.object(
                "ev",
                "ready",
                "job",
                settings.jobId(),
                "pid",
                ProcessHandle.current().pid()));

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            JsonNode cmd = Json.MAPPER.readTree(line);
            String op = cmd.path("op").asText();
            long req = cmd.path("req").asLong();
            String key = cmd.path("k").asText();
            switch (op) {
                case "join" -> pool.execute(() -> join(req, key));
                case "slow" ->
                    degraded.slow(
                            Duration.ofMillis(cmd.path("for").asLong()),
                            Duration.ofMillis(cmd.path("ms").asLong()));
                case "bus-cut" ->
                    degraded.cutBus(Duration.ofMillis(cmd.path("for").asLong()));
                case "leave" -> pool.execute(() -> leave(req, key));
                case "shutdown" -> {
                    shutdown();
                    return;
                }
                default -> emit(Json.object("ev", "issue", "msg", "unknown command " + line));
            }
        }
        // the parent is gone: behave like a crashed server, leave nothing behind
        Runtime.getRuntime().halt(3);
    }

    private void join(long req, String key) {
        Session stale = sessions.get(key);
        if (stale != null && !stale.ended) {
            // the player comes back to a server that still holds an old session of it (e.g. after
            // this server was paused): end that one first, as a real server would on reconnect
            try {
                stale.profile.release();
            } catch (RuntimeException e) {
                emit(Json.object("ev", "issue", "msg", "releasing the old session of " + key + " failed: " + e));
            }
        }
        long started = System.nanoTime();
        Optional<Profile<SimPlayerData>> loaded;
        try {
            loaded = store.loadProfile(key, NotReleasedHandler.FORCE_LOAD);
        } catch (RuntimeException e) {
            emit(Json.object("ev", "joined", "req", req, "k", key, "ok", false, "error", String.valueOf(e)));
            return;
        }
        double ms = (System.nanoTime() - started) / 1e6;
        if (loaded.isEmpty()) {
            emit(Json.object("ev", "joined", "req", req, "k", key, "ok", false, "error", "loadProfile returned empty"));
            return;
        }
        Profile<SimPlayerData> profile = loaded.get();
        Session s = new Session(key, audit.lastAcquiredEpoch(key), profile);
        SimPlayerData data = profile.getData();
        long loadedEdits = data.edits;
        long loadedLastEdit = data.lastEditAt;
        int loadedGifts = data.gifts.size();
        s.counter = loadedEdits;
        s.lastEditAt = loadedLastEdit;
        s.reportedCounter = loadedEdits;
        Session previous = sessions.put(key, s);
        if (previous != null && !previous.ended) {
            emit(Json.object(
                    "ev", "issue", "msg", "loaded " + key + " while an old session of it was still active here"));
        }
        // the joined event goes out before any event of this session (gifts, ticks, end)
        emit(Json.object(
                "ev",
                "joined",
                "req",
                req,
                "k",
                key,
                "ok",
                true,
                "e",
                s.epoch,
                "loaded",
                loadedEdits,
                "lastEditAt",
                loadedLastEdit,
                "gifts",
                loadedGifts,
                "ms",
                ms,
                "at",
                System.currentTimeMillis()));
        profile.listenToRelease(() -> ended(s));
        GlobalUpdates updates = profile.getGlobalUpdates();
        try {
            // locked by an earlier session and not cleared: apply now; updates this session locks
            // arrive through the listener (the two sets are disjoint)
            List<GlobalUpdate> lockedAtLoad = new ArrayList<>(updates.getLockedUpdates());
            updates.listenToNewLockedUpdate((id, giftData) -> applyGift(s, id, giftData));
            updates.listenToNewActiveUpdate((id, giftData) -> lock(s, id));
            for (GlobalUpdate u : updates.getActiveUpdates()) {
                lock(s, u.id());
            }
            for (GlobalUpdate u : lockedAtLoad) {
                applyGift(s, u.id(), u.data());
            }
        } catch (IllegalStateException inactive) {
            // taken over already: the next session processes them
        }
    }

    private void lock(Session s, long id) {
        try {
            s.profile.getGlobalUpdates().lockActiveUpdate(id);
            s.profile.save();
        } catch (IllegalArgumentException alreadyLocked) {
            // seen both in the scan and by the listener
        } catch (IllegalStateException inactive) {
            // no longer ours
        }
    }

    private void applyGift(Session s, long id, Map<String, Object> giftData) {
        String giftId = String.valueOf(giftData.get("giftId"));
        long coins = giftData.get("coins") instanceof Number n ? n.longValue() : 0;
        try {
            // clear and apply in one edit: the store gets both in one save, or neither; clearing first
            // means an update that is no longer Locked (already applied) throws before any change
            s.profile.edit(d -> {
                s.profile.getGlobalUpdates().clearLockedUpdate(id);
                d.gifts.add(giftId);
                d.coins += coins;
            });
            s.profile.save();
            emit(Json.object("ev", "gift", "k", s.key, "e", s.epoch, "g", giftId, "id", id));
        } catch (IllegalStateException inactive) {
            // not active any more: the update stays locked and the next session applies it
        } catch (IllegalArgumentException alreadyApplied) {
            // delivered by the startup scan and by the listener: applied once already
        }
    }

    private void leave(long req, String key) {
        Session s = sessions.get(key);
        if (s == null) {
            emit(Json.object("ev", "left", "req", req, "k", key, "ok", false, "error", "not loaded here"));
            return;
        }
        try {
            s.profile.release();
        } catch (RuntimeException e) {
            emit(Json.object("ev", "left", "req", req, "k", key, "ok", false, "error", String.valueOf(e)));
            return;
        }
        emit(Json.object("ev", "left", "req", req, "k", key, "ok", true, "e", s.epoch, "counter", s.counter));
    }

    private void ended(Session s) {
        long counter;
        long lastEditAt;
        synchronized (s) {
            // an edit that began before the release completes first (and is in the final save)
            s.ended = true;
            counter = s.counter;
            lastEditAt = s.lastEditAt;
        }
        sessions.remove(s.key, s);
        emit(Json.object(
                "ev",
                "ended",
                "k",
                s.key,
                "e",
                s.epoch,
                "counter",
                counter,
                "lastEditAt",
                lastEditAt,
                "at",
                System.currentTimeMillis()));
    }

    private void editAll() {
        long now = System.currentTimeMillis();
        for (Session s : sessions.values()) {
            if (s.ended) {
                continue;
            }
            try {
                synchronized (s) {
                    // after the release listener ran, the engine must refuse the edit (it throws)
                    s.profile.edit(d -> {
                        d.edits++;
                        d.lastEditAt = now;
                        s.counter = d.edits;
                        s.lastEditAt = now;
                    });
                }
            } catch (IllegalStateException inactive) {
                // released or taken over: the release listener reports it
            } catch (RuntimeException e) {
                emit(Json.object("ev", "issue", "msg", "edit failed: " + e));
            }
        }
    }

    private void tick() {
        Map<String, Object> counters = new LinkedHashMap<>();
        for (Session s : sessions.values()) {
            long c = s.counter;
            if (!s.ended && c != s.reportedCounter) {
                s.reportedCounter = c;
                counters.put(s.key, new long[] {s.epoch, c, s.lastEditAt});
            }
        }
        if (!counters.isEmpty()) {
            emit(Json.object("ev", "tick", "c", counters));
        }
    }

    private void shutdown() {
        timer.shutdownNow();
        try {
            service.close();
        } catch (RuntimeException e) {
            emit(Json.object("ev", "issue", "msg", "close failed: " + e));
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (!sessions.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20); // waits for the release listeners to report
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        emit(Json.object("ev", "bye", "unreported", sessions.size(), "issues", issues.get()));
        Runtime.getRuntime().halt(0);
    }

    private void emit(Map<String, Object> event) {
        String line = Json.write(event);
        synchronized (out) {
            try {
                out.write(line);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                Runtime.getRuntime().halt(4); // the parent is gone
            }
        }
    }
}
