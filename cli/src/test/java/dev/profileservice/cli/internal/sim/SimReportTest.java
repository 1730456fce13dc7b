package dev.profileservice.cli.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulation's checks on hand-made histories: each check passes a clean one and catches its fault. */
class SimReportTest {

    static final SimConfig CFG = new SimConfig(
            null,
            null,
            null,
            2,
            1,
            Duration.ofSeconds(10),
            Duration.ofSeconds(3),
            Duration.ofSeconds(2),
            Duration.ofSeconds(3),
            Duration.ofMillis(250),
            Duration.ofMillis(250),
            1,
            0,
            0,
            0,
            true,
            true,
            false,
            Duration.ofSeconds(3),
            Duration.ofSeconds(5),
            Duration.ofSeconds(4),
            Duration.ofSeconds(1),
            Duration.ofMillis(1500),
            Duration.ofSeconds(4),
            Duration.ZERO,
            Duration.ZERO,
            false,
            false,
            false,
            1,
            null);

    /** A history of one player, "p", built step by step. */
    static final class History {
        final SimHistory history = new SimHistory();
        final Map<String, SimHistory.SessionRec> sessions = history.sessions;
        final List<SimHistory.Fault> faults = history.faults;
        final SimPlayerData stored = new SimPlayerData();

        SimHistory.SessionRec session(long epoch, String job, long loaded, long joinedAt) {
            SimHistory.SessionRec r = history.session("p", epoch);
            r.job = job;
            r.loaded = loaded;
            r.joinedAt = joinedAt;
            r.loadedLastEditAt = joinedAt - 100;
            history.acquires
                    .computeIfAbsent("p", k -> new ArrayList<>())
                    .add(new SimHistory.Acq(job, epoch, epoch - 1, joinedAt * 1000 - 500, joinedAt * 1000 - 100));
            return r;
        }

        void save(String job, long epoch, boolean release, String status, long atMillis) {
            history.saves
                    .computeIfAbsent("p", k -> new ArrayList<>())
                    .add(new SimHistory.Save(job, epoch, release, status, atMillis * 1000, atMillis * 1000 + 200));
        }

        void gift(String id, boolean acked) {
            SimHistory.Gift g = new SimHistory.Gift(id, "p");
            g.acked = acked;
            history.gifts.put(id, g);
        }

        SimReport report() {
            return SimReport.build(new SimReport.Input(
                    CFG,
                    Path.of("/tmp/x"),
                    "sqlite:x.db",
                    "S",
                    history,
                    new FinalStore(Map.of("p", stored), Map.of("p", 0), List.of())));
        }
    }

    static SimReport.Check check(SimReport r, String prefix) {
        return r.checks().stream()
                .filter(c -> c.name().startsWith(prefix))
                .findFirst()
                .orElseThrow();
    }

    /** a loads at 1000, edits to 40, hands over gracefully; b loads 40 and releases 55 at shutdown. */
    static History clean() {
        History h = new History();
        SimHistory.SessionRec a = h.session(1, "a", 0, 1_000);
        h.save("a", 1, false, "SAVED", 2_000);
        h.save("a", 1, true, "SAVED", 3_000);
        a.endedCounter = 40;
        SimHistory.SessionRec b = h.session(2, "b", 40, 3_100);
        h.save("b", 2, true, "SAVED", 5_000);
        b.endedCounter = 55;
        h.stored.edits = 55;
        h.stored.gifts.add("g1");
        h.gift("g1", true);
        return h;
    }

    @Test
    void aCleanHistoryPasses() {
        SimReport r = clean().report();
        assertThat(r.passed()).as(r.toText()).isTrue();
        assertThat(r.toText()).contains("Result: PASS").contains("1 applied once, 0 lost, 0 duplicated");
        assertThat(r.toJson().get("epochViolations")).isEqualTo(0L);
    }

    @Test
    void aSaveAcceptedAfterANewerAcquireIsAViolation() {
        History h = clean();
        h.save("a", 1, false, "SAVED", 4_000); // a's write lands after b acquired epoch 2 at ~3100
        SimReport r = h.report();
        assertThat(check(r, "no save accepted").passed()).isFalse();
        assertThat(check(r, "no save accepted").failures().get(0))
                .contains("epoch 1 accepted, but epoch 2 had been acquired");
        assertThat(r.passed()).isFalse();
    }

    @Test
    void aRefusedStaleSaveIsFine() {
        History h = clean();
        h.save("a", 1, false, "LOST_SESSION", 4_000);
        SimReport r = h.report();
        assertThat(r.passed()).as(r.toText()).isTrue();
        assertThat(check(r, "no save accepted").summary()).contains("1 stale saves refused");
    }

    @Test
    void lostAndDuplicatedGiftsFail() {
        History h = clean();
        h.gift("g2", true); // acknowledged, never applied, not pending
        h.stored.gifts.add("g3");
        h.stored.gifts.add("g3"); // applied twice
        h.gift("g3", true);
        SimReport r = h.report();
        SimReport.Check gifts = check(r, "gifts applied exactly once");
        assertThat(gifts.passed()).isFalse();
        assertThat(gifts.summary()).contains("1 lost, 1 duplicated");
        assertThat(r.toJson().get("gifts")).asString().contains("lost=1").contains("duplicated=1");
    }

    @Test
    void anUnacknowledgedGiftMayBeAppliedOnceButNotTwice() {
        History h = clean();
        h.gift("g4", false);
        h.stored.gifts.add("g4");
        assertThat(h.report().passed()).isTrue();
        h.stored.gifts.add("g4");
        assertThat(h.report().passed()).isFalse();
    }

    @Test
    void aGracefulHopThatLostEditsFails() {
        History h = clean();
        h.sessions.get("p#1").endedCounter = 42; // released 42, the next session loaded 40
        SimReport.Check hops = check(h.report(), "graceful hops");
        assertThat(hops.passed()).isFalse();
        assertThat(hops.failures().get(0))
                .contains("released epoch 1 with 42 edits")
                .contains("loaded 40 (-2)");
    }

    @Test
    void theStoreMustHoldWhatTheLastSessionReleased() {
        History h = clean();
        h.stored.edits = 54;
        assertThat(check(h.report(), "graceful hops").passed()).isFalse();
    }

    @Test
    void crashLossIsBoundedByTheAutoSavePeriod() {
        History h = new History();
        SimHistory.SessionRec a = h.session(1, "a", 0, 1_000);
        a.tickCounter = 30;
        h.faults.add(new SimHistory.Fault(FaultKind.KILL, "a", 4_000, 4_000));
        SimHistory.SessionRec b = h.session(2, "b", 20, 8_000);
        b.loadedLastEditAt = 2_000; // last durable edit 2 s before the kill: within 3.5 s
        h.save("b", 2, true, "SAVED", 9_000);
        b.endedCounter = 20;
        h.stored.edits = 20;
        SimReport ok = h.report();
        assertThat(check(ok, "loss after a crash").passed()).as(ok.toText()).isTrue();
        assertThat(check(ok, "loss after a crash").summary()).contains("after kill -9: worst 10 edits / 2.0 s");

        b.loadedLastEditAt = 0; // but the kill lost 3 s of play after a's load at 1000: over the bound
        a.joinedAt = 0;
        SimReport bad = h.report();
        assertThat(check(bad, "loss after a crash").passed()).isFalse();
        assertThat(check(bad, "loss after a crash").failures().get(0))
                .contains("after kill -9 of a, 10 edits (4.0 s of play) lost");
    }

    @Test
    void stealsAreMeasuredAgainstTheOwnersLastHeartbeat() {
        History h = new History();
        h.session(1, "a", 0, 1_000);
        h.faults.add(new SimHistory.Fault(FaultKind.KILL, "a", 2_000, 2_000));
        h.session(2, "b", 0, 6_000); // acquire started at 5999.5 ms, a steal of epoch 1
        Map<String, List<SimHistory.Heartbeat>> hb = Map.of(
                "a", List.of(new SimHistory.Heartbeat(1_500_000, 4_500), new SimHistory.Heartbeat(7_000_000, 99_000)));
        h.history.heartbeats.putAll(hb);
        SimReport r = h.report();
        Map<?, ?> traffic = (Map<?, ?>) r.toJson().get("traffic");
        assertThat(traffic.get("steals")).isEqualTo(1L);
        assertThat(traffic.get("stealsBeforeOwnersLeaseExpired")).isEqualTo(0L);
        assertThat(traffic.get("earliestStealAfterLeaseExpiryMs"))
                .isEqualTo(1_499L); // the later heartbeat does not count
        assertThat(r.toText()).contains("steals: 1, earliest 1.50 s after the owner's lease expired; 0 before it");
    }

    @Test
    void dataGoingBackFails() {
        History h = clean();
        h.sessions.get("p#2").loaded = 10; // fewer than session 1 had loaded? no: 0; make session 1 load more
        h.sessions.get("p#1").loaded = 20;
        assertThat(check(h.report(), "saved data never went back").passed()).isFalse();
    }

    /**
     * a (epoch 1) loads 0 and is online at 2000 when the admin rolls the profile back to a version
     * with 25 edits; the overwrite takes epoch 2 and fences a; b acquires epoch 3 at ~3100 and loads 25.
     */
    static History rolledBack() {
        History h = new History();
        SimHistory.SessionRec a = h.session(1, "a", 0, 1_000);
        h.save("a", 1, false, "SAVED", 1_500);
        h.save("a", 1, false, "LOST_SESSION", 2_500); // fenced by the rollback
        a.endedCounter = 40;
        a.endedAt = 2_500;
        SimHistory.Rollback r = new SimHistory.Rollback("p", 2_000, 1);
        r.version = "7";
        r.expectedEdits = 25;
        r.t0 = 2_000_000;
        r.t1 = 2_050_000;
        r.outcome = SimHistory.RollbackOutcome.DONE;
        h.history.rollbacks.add(r);
        SimHistory.SessionRec b = h.session(3, "b", 25, 3_100);
        h.save("b", 3, true, "SAVED", 5_000);
        b.endedCounter = 30;
        h.stored.edits = 30;
        return h;
    }

    @Test
    void aRollbackLoadedByTheNextSessionPassesAndIsNoLoss() {
        SimReport r = rolledBack().report();
        assertThat(r.passed()).as(r.toText()).isTrue();
        assertThat(check(r, "admin rollbacks").summary())
                .contains("1 rollbacks (1 while the player was online; 1 live sessions ended by them), 1 checked");
        assertThat(((Map<?, ?>) r.toJson().get("traffic")).get("sessionPairsAcrossRollbacks"))
                .isEqualTo(1L);
        assertThat(r.toText()).contains("Admin: 1 rollbacks (1 while the player was online)");
    }

    @Test
    void aNextSessionThatDidNotLoadTheRollbackFails() {
        History h = rolledBack();
        h.sessions.get("p#3").loaded = 40; // the fenced session's data, not the rollback
        SimReport r = h.report();
        assertThat(r.passed()).isFalse();
        assertThat(check(r, "admin rollbacks").failures().get(0))
                .contains("rolled back to version 7 (25 edits) while online in epoch 1")
                .contains("loaded 40");
        assertThat(check(r, "graceful hops").passed()).isTrue();
    }

    @Test
    void aSaveOfTheFencedSessionAcceptedAfterTheRollbackFails() {
        History h = rolledBack();
        h.save("a", 1, false, "SAVED", 2_600);
        assertThat(check(h.report(), "admin rollbacks").failures())
                .anyMatch(f -> f.contains("a save by a (epoch 1) was accepted"));
    }

    @Test
    void aFailedRollbackIsCountedNotFailed() {
        History h = clean();
        SimHistory.Rollback r = new SimHistory.Rollback("p", 2_000, -1);
        r.version = "3";
        r.outcome = SimHistory.RollbackOutcome.PRUNED;
        h.history.rollbacks.add(r);
        SimReport rep = h.report();
        assertThat(rep.passed()).as(rep.toText()).isTrue();
        assertThat(rep.toText()).contains("1 failed without a write").contains("rollback failed: p to version 3");
    }

    static SimHistory.Wipe wipe(SimHistory.StaleOverwrite stale) {
        SimHistory.Wipe w = new SimHistory.Wipe("w", 4_000);
        w.version = "2";
        w.staleEdits = 12;
        w.existed = true;
        w.stale = stale;
        w.t1 = 4_100_000;
        return w;
    }

    @Test
    void aWipeWhoseStaleOverwriteIsRefusedPasses() {
        History h = clean();
        h.history.wipes.add(wipe(SimHistory.StaleOverwrite.REFUSED));
        SimReport r = h.report();
        assertThat(r.passed()).as(r.toText()).isTrue();
        assertThat(check(r, "no rollback resurrects").summary())
                .contains("1 wipes")
                .contains("1 stale overwrites refused");
    }

    @Test
    void aStaleOverwriteThatSucceededOrAWipedProfileInTheStoreFails() {
        History h = clean();
        h.history.wipes.add(wipe(SimHistory.StaleOverwrite.SUCCEEDED));
        SimReport.Check c = check(h.report(), "no rollback resurrects");
        assertThat(c.passed()).isFalse();
        assertThat(c.failures().get(0))
                .contains("w: overwrite() of version 2 (12 edits)")
                .contains("succeeded");

        History h2 = clean();
        h2.history.wipes.add(wipe(SimHistory.StaleOverwrite.REFUSED));
        SimReport r2 = SimReport.build(new SimReport.Input(
                CFG,
                Path.of("/tmp/x"),
                "sqlite:x.db",
                "S",
                h2.history,
                new FinalStore(Map.of("p", h2.stored, "w", new SimPlayerData()), Map.of("p", 0), List.of())));
        assertThat(check(r2, "no rollback resurrects").failures().get(0))
                .contains("the store holds the wiped profile at the end");
    }
}
