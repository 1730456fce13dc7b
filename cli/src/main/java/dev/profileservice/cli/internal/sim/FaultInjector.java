package dev.profileservice.cli.internal.sim;

import java.util.List;
import java.util.Map;

/**
 * Injects the faults, one at a time, into a random server, rotating through the kinds switched on
 * ({@link SimConfig#faultKinds()}): kill -9; SIGSTOP for {@code --freeze-for}, its players moving
 * off after a second; a cut of its store connections for {@code --cut-for}, and, with kills on, a
 * kill 0.5 to 3 s after that cut heals, so that a crash right after an outage is checked against the
 * same loss bound; a cut of its message channel alone, and store calls slower than the lease, each
 * for {@code --cut-for} (commands to the server process, see {@link DegradedBackend}).
 *
 * <p>Runs on the driving thread under the simulation lock, the timed parts included ({@link Timers}).
 */
final class FaultInjector {
    private final SimContext sim;
    private final ServerSupervisor servers;
    private final PlayerDriver players;
    private final StoreLinks links;
    private final List<FaultKind> kinds;
    private int rotation;

    FaultInjector(SimContext sim, ServerSupervisor servers, PlayerDriver players, StoreLinks links) {
        this.sim = sim;
        this.servers = servers;
        this.players = players;
        this.links = links;
        this.kinds = sim.cfg().faultKinds().stream()
                .filter(k -> k != FaultKind.CUT || links.cuttable())
                .toList();
    }

    /**
     * Injects the next fault, unless the last one is still healing: a server not yet usable, a kill
     * after an outage still planned, or players it moved still joining elsewhere (which keeps steal
     * times clean).
     *
     * @return false to be asked again shortly; true when injected, or when there is nothing to inject
     */
    boolean inject(long now) {
        if (kinds.isEmpty()) {
            return true;
        }
        if (!servers.current().stream().allMatch(s -> s.recovered(now)) || players.movingAfterFault()) {
            return false;
        }
        FaultKind kind = kinds.get(rotation++ % kinds.size());
        ServerProcess victim = servers.current().get(sim.rnd().nextInt(sim.cfg().servers()));
        if (kind != FaultKind.CUT && kind != FaultKind.PRIMARY_KILL && sim.cfg().servers() < 2) {
            return true; // a kill or a freeze needs another server for its players to move to
        }
        switch (kind) {
            case KILL -> kill(victim, now);
            case FREEZE -> freeze(victim, now);
            case CUT -> cut(victim, now);
            case BUS_CUT, SLOW -> degrade(victim, kind, now);
            case PRIMARY_KILL -> killPrimary(now);
            default -> throw new IllegalStateException("not an injected fault: " + kind);
        }
        return true;
    }

    private void kill(ServerProcess victim, long now) {
        servers.kill(victim, now);
        sim.history().fault(FaultKind.KILL, victim.job, now, now);
    }

    private void freeze(ServerProcess victim, long now) {
        if (!servers.pause(victim)) {
            return;
        }
        long until = now + sim.cfg().freezeFor().toMillis();
        sim.history().fault(FaultKind.FREEZE, victim.job, now, until);
        sim.timers().at(now + 1_000, () -> players.moveOff(victim, now));
        sim.timers().at(until, () -> servers.resume(victim));
    }

    private void cut(ServerProcess victim, long now) {
        long until = now + sim.cfg().cutFor().toMillis();
        links.cut(victim.slot, sim.cfg().cutFor());
        victim.cutUntil = until;
        players.onFault(victim, FaultKind.CUT);
        sim.history().fault(FaultKind.CUT, victim.job, now, until);
        if (sim.cfg().kill()) {
            // a crash shortly after the store comes back may lose only what an auto-save period
            // holds: the saves that waited out the outage must have resumed at once
            long at = until + 500 + sim.rnd().nextInt(2_501);
            victim.killAfterOutageAt = at;
            sim.timers().at(at, () -> {
                victim.killAfterOutageAt = 0;
                if (servers.isCurrent(victim) && victim.usable(at)) {
                    kill(victim, System.currentTimeMillis());
                }
            });
        }
    }

    /**
     * A message-channel cut (the server stays usable: hand-overs with it fall back to polling) or a
     * store slower than the lease (no new players join it meanwhile), for {@code --cut-for}.
     */
    private void degrade(ServerProcess victim, FaultKind kind, long now) {
        long period = sim.cfg().cutFor().toMillis();
        long until = now + period;
        if (kind == FaultKind.SLOW) {
            victim.send(Map.<String, Object>of(
                    "op", "slow", "for", period, "ms", sim.cfg().lease().toMillis() + 1_000));
            victim.cutUntil = until;
        } else {
            victim.send(Map.<String, Object>of("op", "bus-cut", "for", period));
        }
        victim.degradedUntil = until;
        players.onFault(victim, kind);
        sim.history().fault(kind, victim.job, now, until);
    }

    /**
     * Kills the Redis primary, if it has a replica to promote: every server loses the store until
     * the sentinels fail over, and the hand-overs under way are no longer between healthy servers.
     */
    private void killPrimary(long now) {
        SentinelPrimary primary = SentinelPrimary.of(sim.cfg().storeUri()).orElseThrow();
        if (!primary.hasReplicasToSpare()) {
            return; // the promoted replica would have no replica of its own left
        }
        String address = primary.kill();
        sim.history().fault(FaultKind.PRIMARY_KILL, "redis primary " + address, now, now);
        servers.current().forEach(s -> players.onFault(s, FaultKind.PRIMARY_KILL));
    }

    /** Resumes every frozen server (the drain at the end needs them all). */
    void healAll() {
        servers.current().forEach(servers::resume);
    }
}
