package dev.profileservice.cli.internal.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulated players: each comes online on a server, plays there (the server edits its data),
 * hops to another server, either as a hand-over from the live owner or by leaving first, leaves and
 * comes back; and moves elsewhere when its server is killed, frozen or cut off. Records why each
 * join was sent ({@link JoinKind}), which decides what its latency measures.
 *
 * <p>Guarded by the simulation lock: {@link #step}, {@link #moveOff} and {@link #onCut} run on the
 * driving thread; the servers' answers ({@code onJoined}, {@code onLeft}, ...) and
 * {@link #onServerGone} on the child reader threads, through {@link EventIntake}.
 */
final class PlayerDriver {

    private enum State {
        OFFLINE,
        JOINING,
        ONLINE,
        LEAVING
    }

    private static final class Player {
        final String key;
        State state = State.OFFLINE;
        /** The server it plays on (while JOINING: the one it leaves, if a hand-over). */
        ServerProcess server;
        /** The server its join went to. */
        ServerProcess target;
        /** The request awaiting an answer, else 0. */
        long req;

        long epoch = -1;
        long nextActionAt;
        boolean hopAfterLeave;
        /** Why the next join is sent, and the fault behind it. */
        JoinReason next = JoinReason.FRESH;
        /** Why the pending join was sent, and the fault behind it. */
        JoinReason why = JoinReason.FRESH;
        /** An admin rollback of its profile is under way: it sends no join until it ends. */
        boolean held;
        /** Its profile is to be wiped: it leaves at once (if online) and never comes back. */
        boolean retired;

        Player(String key) {
            this.key = key;
        }

        void offline(long nextActionAt) {
            req = 0;
            state = State.OFFLINE;
            server = null;
            this.nextActionAt = nextActionAt;
        }
    }

    private final List<Player> players = new ArrayList<>();
    /** The rollback cohort: the last players, who get no gifts; see {@link #cohortSize}. */
    private final List<String> cohort;

    private final Map<String, Player> byKey = new HashMap<>();
    private final SimContext sim;
    private final ServerSupervisor servers;
    private long requests;
    private boolean draining;

    PlayerDriver(SimContext sim, ServerSupervisor servers) {
        this.sim = sim;
        this.servers = servers;
        for (int i = 0; i < sim.cfg().players(); i++) {
            Player p = new Player(String.format(Locale.ROOT, "player-%04d", i));
            players.add(p);
            byKey.put(p.key, p);
        }
        int n = players.size();
        cohort = keys().subList(n - cohortSize(n), n);
    }

    /**
     * How many of {@code players} form the rollback cohort: a tenth, at least three, at most half
     * (so the first player, the storm's, is never in it).
     */
    static int cohortSize(int players) {
        return Math.min(Math.max(3, (players + 9) / 10), players / 2);
    }

    /** The rollback cohort: players whose profiles the admin rolls back or wipes, and who get no gifts. */
    List<String> cohort() {
        return cohort;
    }

    /** The players outside the rollback cohort: the ones gifts go to. */
    List<String> giftKeys() {
        return keys().subList(0, players.size() - cohort.size());
    }

    /** Whether {@code key}'s player is online or offline with no request pending, and neither held nor retired. */
    boolean idle(String key) {
        Player p = byKey.get(key);
        return p.req == 0 && !p.held && !p.retired && (p.state == State.ONLINE || p.state == State.OFFLINE);
    }

    /** Whether {@code key}'s player is online (its session on {@link #epoch}). */
    boolean isOnline(String key) {
        return byKey.get(key).state == State.ONLINE;
    }

    /** The epoch of {@code key}'s latest session, or -1 if it never joined. */
    long epoch(String key) {
        return byKey.get(key).epoch;
    }

    /** Holds or lets go {@code key}'s player: while held it sends no join (nor hop, nor leave). */
    void hold(String key, boolean held) {
        byKey.get(key).held = held;
    }

    /** {@code key}'s profile is to be wiped: its player leaves as soon as it can and stays offline for the rest of the run. */
    void retire(String key) {
        Player p = byKey.get(key);
        p.retired = true;
        p.nextActionAt = 0;
    }

    /** Whether {@code key}'s player is offline with no request pending. */
    boolean offlineIdle(String key) {
        Player p = byKey.get(key);
        return p.state == State.OFFLINE && p.req == 0;
    }

    /** Every player's profile key. */
    List<String> keys() {
        return players.stream().map(p -> p.key).toList();
    }

    /** Lets every player join within the first second from {@code now}. */
    void begin(long now) {
        for (Player p : players) {
            p.nextActionAt = now + sim.rnd().nextInt(1000);
        }
    }

    /** From now on players only come online (to receive pending gifts) and stay. */
    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    long online() {
        return players.stream().filter(p -> p.state == State.ONLINE).count();
    }

    int count() {
        return players.size();
    }

    /** Whether every player (but those retired by a wipe) is online with no request pending. */
    boolean allOnline() {
        return players.stream().allMatch(p -> p.retired || p.state == State.ONLINE && p.req == 0 && !p.held);
    }

    /** Whether a player that a fault moved is still joining elsewhere (its steal time is not measured yet). */
    boolean movingAfterFault() {
        return players.stream()
                .anyMatch(p -> p.req != 0
                        && (p.why.kind() == JoinKind.AFTER_KILL
                                || p.why.kind() == JoinKind.AFTER_FREEZE
                                || p.why.kind() == JoinKind.DURING_FAULT));
    }

    /** Makes {@code key}'s next action (a hand-over, hop or leave) due within a second, if it is online and idle. */
    void hurry(String key, long now) {
        Player p = byKey.get(key);
        if (p.state == State.ONLINE && p.req == 0 && p.nextActionAt > now + 1_000) {
            p.nextActionAt = now + sim.rnd().nextInt(1_000);
        }
    }

    /** Sends the requests of the players whose next action is due. */
    void step(long now) {
        for (Player p : players) {
            if (p.req != 0 || now < p.nextActionAt || p.held) {
                continue;
            }
            if (p.retired) {
                if (p.state == State.ONLINE && p.server != null && p.server.recovered(now)) {
                    p.hopAfterLeave = false;
                    sendLeave(p); // for good
                }
                continue;
            }
            if (p.state == State.OFFLINE) {
                ServerProcess target = pick(null, now);
                if (target != null) {
                    sendJoin(p, target);
                }
            } else if (p.state == State.ONLINE && !draining) {
                if (p.server == null || !p.server.recovered(now)) {
                    p.nextActionAt = now + 500;
                    continue;
                }
                double r = sim.rnd().nextDouble();
                ServerProcess other = pick(p.server, now);
                if (r < 0.4 && other != null) {
                    p.next = JoinReason.noFault(JoinKind.HANDOVER);
                    sendJoin(p, other);
                } else {
                    p.hopAfterLeave = r < 0.75;
                    sendLeave(p);
                }
            }
        }
    }

    private void sendJoin(Player p, ServerProcess target) {
        p.req = ++requests;
        p.target = target;
        p.why = draining ? new JoinReason(JoinKind.DRAIN, p.next.faultAt()) : p.next;
        if (p.state != State.ONLINE) {
            p.server = null;
        }
        p.state = State.JOINING;
        p.next = JoinReason.FRESH;
        target.send(Map.of("op", "join", "req", p.req, "k", p.key));
    }

    private void sendLeave(Player p) {
        p.req = ++requests;
        p.state = State.LEAVING;
        p.server.send(Map.of("op", "leave", "req", p.req, "k", p.key));
    }

    /** A random server fit for players, other than {@code exclude}; null if none. */
    private ServerProcess pick(ServerProcess exclude, long now) {
        List<ServerProcess> candidates = new ArrayList<>();
        for (ServerProcess s : servers.current()) {
            if (s != null && s != exclude && s.recovered(now)) {
                candidates.add(s);
            }
        }
        return candidates.isEmpty() ? null : candidates.get(sim.rnd().nextInt(candidates.size()));
    }

    /** The player's current request, or null if {@code req} is an answer it no longer waits for. */
    private Player waiting(String key, long req) {
        Player p = byKey.get(key);
        return p != null && p.req == req ? p : null;
    }

    // ---------------------------------------------------------------- answers from the servers

    /** {@code s} loaded {@code key} as session {@code session} for request {@code req}. */
    void onJoined(ServerProcess s, String key, long req, SimHistory.SessionRec session, long now) {
        Player p = waiting(key, req);
        if (p == null) {
            return;
        }
        session.why = p.why;
        if (p.why.kind() == JoinKind.HOP || p.why.kind() == JoinKind.HANDOVER) {
            sim.history().hops++;
        }
        if (p.why.kind() == JoinKind.HANDOVER) {
            sim.history().handovers++;
        }
        SimHistory.Storm storm = sim.history().stormRunningFor(key);
        if (storm != null) {
            storm.joins++;
        }
        p.req = 0;
        p.server = s;
        p.epoch = session.epoch;
        // a session that already ended (taken over before the answer came) sends the player back soon
        p.state = session.endedCounter >= 0 ? State.OFFLINE : State.ONLINE;
        p.nextActionAt = now + (p.state == State.ONLINE ? 1_000 + sim.rnd().nextInt(3_000) : 300);
    }

    void onJoinFailed(String key, long req, long now) {
        Player p = waiting(key, req);
        if (p != null) {
            p.offline(now + 500);
        }
    }

    /** {@code s} released {@code key} for request {@code req}; a hopping player joins another server at once. */
    void onLeft(ServerProcess s, String key, long req, long now) {
        Player p = waiting(key, req);
        if (p == null) {
            return;
        }
        ServerProcess hopTo = p.hopAfterLeave && !draining ? pick(s, now) : null;
        p.offline(hopTo != null ? now : now + 500 + sim.rnd().nextInt(2_500));
        p.next = hopTo != null ? JoinReason.noFault(JoinKind.HOP) : JoinReason.FRESH;
        if (hopTo != null) {
            sendJoin(p, hopTo);
        }
    }

    /** {@code session} on {@code s} ended; if its player did not ask for that (taken over), it reconnects. */
    void onEnded(ServerProcess s, SimHistory.SessionRec session, long now) {
        Player p = byKey.get(session.key);
        if (p != null && p.state == State.ONLINE && p.server == s && p.epoch == session.epoch && p.req == 0) {
            p.offline(now + 300);
            p.next = JoinReason.FRESH;
        }
    }

    // ---------------------------------------------------------------- faults

    /** {@code s} was killed or died: its players, and those joining it, go elsewhere (a steal). */
    void onServerGone(ServerProcess s, long now) {
        for (Player p : players) {
            if (p.state == State.JOINING && p.server == s && p.why.kind() == JoinKind.HANDOVER) {
                p.why = new JoinReason(JoinKind.AFTER_KILL, s.killAt); // the owner it asked died: this is now a steal
            }
            boolean onIt = (p.server == s && (p.state == State.ONLINE || p.state == State.LEAVING))
                    || (p.target == s && p.state == State.JOINING && p.req != 0);
            if (onIt) {
                p.offline(now + 300);
                p.next = new JoinReason(JoinKind.AFTER_KILL, s.killAt);
            }
        }
    }

    /** The players of a frozen server give up on it and join elsewhere (FORCE_LOAD steals after the lease). */
    void moveOff(ServerProcess frozen, long frozenAt) {
        if (!frozen.frozen) {
            return;
        }
        long now = System.currentTimeMillis();
        for (Player p : players) {
            if (p.state == State.JOINING && p.server == frozen && p.why.kind() == JoinKind.HANDOVER) {
                p.why = new JoinReason(JoinKind.AFTER_FREEZE, frozenAt); // the owner it asked is frozen: a steal now
            }
            if (p.server == frozen && p.state == State.ONLINE && p.req == 0) {
                p.offline(now);
                p.next = new JoinReason(JoinKind.AFTER_FREEZE, frozenAt);
            }
        }
    }

    /** {@code fault} struck {@code victim}: a hand-over from or to it is no longer between healthy servers. */
    void onFault(ServerProcess victim, FaultKind fault) {
        for (Player p : players) {
            if (p.state == State.JOINING
                    && p.why.kind() == JoinKind.HANDOVER
                    && (p.server == victim || p.target == victim)) {
                p.why = JoinReason.handOverDuring(fault);
            }
        }
    }
}
