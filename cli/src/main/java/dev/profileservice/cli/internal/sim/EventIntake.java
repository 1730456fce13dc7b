package dev.profileservice.cli.internal.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;

/**
 * Turns the events a server prints (one JSON object a line; see {@link ServerNode} and
 * {@link AuditingBackend}) into the run's {@link SimHistory}, and passes the answers to players'
 * requests, session ends and server exits on to the {@link PlayerDriver}.
 *
 * <p>Runs on the child reader threads, under the simulation lock ({@link ServerSupervisor.Listener}).
 */
record EventIntake(SimHistory history, PlayerDriver players) implements ServerSupervisor.Listener {

    @Override
    public void onEvent(ServerProcess s, JsonNode ev) {
        long now = System.currentTimeMillis();
        switch (ev.path("ev").asText()) {
            case "acq" -> {
                String key = ev.path("k").asText();
                long epoch = ev.path("e").asLong();
                history.acquires
                        .computeIfAbsent(key, x -> new ArrayList<>())
                        .add(new SimHistory.Acq(
                                s.job,
                                epoch,
                                ev.path("x").asLong(-1),
                                ev.path("t0").asLong(),
                                ev.path("t1").asLong()));
                history.session(key, epoch).job = s.job;
            }
            case "save" ->
                history.saves
                        .computeIfAbsent(ev.path("k").asText(), x -> new ArrayList<>())
                        .add(new SimHistory.Save(
                                s.job,
                                ev.path("e").asLong(),
                                ev.path("rel").asBoolean(),
                                ev.path("st").asText(),
                                ev.path("t0").asLong(),
                                ev.path("t1").asLong()));
            case "hb" ->
                history.heartbeats
                        .computeIfAbsent(s.job, x -> new ArrayList<>())
                        .add(new SimHistory.Heartbeat(
                                ev.path("t0").asLong(), ev.path("exp").asLong()));
            case "ready" -> s.ready = true;
            case "joined" -> joined(s, ev, now);
            case "left" ->
                players.onLeft(s, ev.path("k").asText(), ev.path("req").asLong(), now);
            case "ended" -> ended(s, ev, now);
            case "tick" ->
                ev.path("c").properties().forEach(f -> {
                    SimHistory.SessionRec r =
                            history.session(f.getKey(), f.getValue().get(0).asLong());
                    r.tickCounter = Math.max(r.tickCounter, f.getValue().get(1).asLong());
                });
            case "gift" -> {
                String id = ev.path("g").asText();
                history.giftApplications.merge(id, 1, Integer::sum);
                SimHistory.Gift g = history.gifts.get(id);
                if (g != null && g.appliedAt == 0) {
                    g.appliedAt = now;
                }
            }
            case "issue" -> history.issue(s.job + ": " + ev.path("msg").asText());
            case "bye" -> {
                int unreported = ev.path("unreported").asInt();
                if (unreported > 0) {
                    history.issue(s.job + ": " + unreported + " session(s) did not report their end at shutdown");
                }
            }
            default -> history.issue(s.job + ": unknown event " + ev);
        }
    }

    @Override
    public void onUnreadable(ServerProcess s, String line) {
        history.issue(s.job + ": unreadable line: " + line);
    }

    private void joined(ServerProcess s, JsonNode ev, long now) {
        String key = ev.path("k").asText();
        long req = ev.path("req").asLong();
        if (!ev.path("ok").asBoolean()) {
            history.joinFailure(s.job + " " + key + ": " + ev.path("error").asText());
            players.onJoinFailed(key, req, now);
            return;
        }
        SimHistory.SessionRec r = history.session(key, ev.path("e").asLong());
        r.job = s.job;
        r.loaded = ev.path("loaded").asLong();
        r.loadedLastEditAt = ev.path("lastEditAt").asLong();
        r.joinedAt = ev.path("at").asLong();
        r.joinMs = ev.path("ms").asDouble();
        history.joins++;
        players.onJoined(s, key, req, r, now);
    }

    private void ended(ServerProcess s, JsonNode ev, long now) {
        SimHistory.SessionRec r =
                history.session(ev.path("k").asText(), ev.path("e").asLong());
        r.job = s.job;
        r.endedCounter = ev.path("counter").asLong();
        r.endedAt = ev.path("at").asLong();
        players.onEnded(s, r, now);
    }

    @Override
    public void onExit(ServerProcess s) {
        long now = System.currentTimeMillis();
        if (!s.shutdownRequested && !s.killedByUs) {
            history.unexpectedExits.add(s.job + " exited with code " + s.exitCode() + " (log: " + s.log + ")");
            s.killAt = now;
            history.fault(FaultKind.UNEXPECTED_EXIT, s.job, now, now);
        }
        if (!s.shutdownRequested) {
            players.onServerGone(s, now);
        }
    }
}
