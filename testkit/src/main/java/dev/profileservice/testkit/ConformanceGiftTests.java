package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.spi.StoredProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance suite's tests of global updates: their lifecycle (send, change, clear, lock,
 * process), delivery without a message bus, gifts racing the owner's saves and locks, lost replies,
 * exactly-once processing under fuzz and storms, full inboxes and the bound on pending updates.
 *
 * <p>One layer of the suite: third parties extend {@link ProfileServiceConformanceTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class ConformanceGiftTests extends ConformanceSessionTests {

    /** Processes gifts the documented way: lock what arrives, apply + clear in one edit. */
    protected void processGifts(Profile<PlayerData> p) {
        GlobalUpdates g = p.getGlobalUpdates();
        g.listenToNewActiveUpdate((id, data) -> {
            try {
                g.lockActiveUpdate(id);
            } catch (IllegalStateException | IllegalArgumentException ignored) {
                // lost the session meanwhile, or locked already
            }
        });
        g.listenToNewLockedUpdate((id, data) -> apply(p, id, data));
        for (GlobalUpdate u : g.getLockedUpdates()) {
            apply(p, u.id(), u.data());
        }
        for (GlobalUpdate u : g.getActiveUpdates()) {
            try {
                g.lockActiveUpdate(u.id());
            } catch (IllegalStateException | IllegalArgumentException ignored) {
                // see above
            }
        }
    }

    private static void apply(Profile<PlayerData> p, long id, Map<String, Object> data) {
        try {
            p.edit(d -> {
                // clear first, in the same edit: saved atomically with the data, and a gift applied already
                // (by the listener and the sweep of locked updates racing) throws before anything changed
                p.getGlobalUpdates().clearLockedUpdate(id);
                d.coins += ((Number) data.get("amount")).intValue();
                d.items.add(String.valueOf(data.get("gift")));
            });
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // the session was lost: the next owner processes it
        }
    }

    /**
     * The fixture of the tests of gifts racing their owner: A holds the key, B views it and a third
     * server C sends the gifts.
     */
    private record GiftRace(Server a, Server b, Server sender, String key, Profile<PlayerData> owner) {}

    /** Servers A, B and C (built in that order) and the key {@code name} loaded on A. */
    private GiftRace giftRace(String name) {
        TwoServers t = onTwoServers(name);
        Server sender = server("C");
        return new GiftRace(t.a(), t.b(), sender, t.key(), t.a().load(t.key()));
    }

    /** Whether {@code viewer} sees {@code coins} coins stored for {@code k}, and no global update left in its inbox. */
    private boolean giftsSettled(Server viewer, String k, int coins) {
        return viewedCoins(viewer, k) == coins && noUpdatesLeft(viewer, k);
    }

    private boolean noUpdatesLeft(Server viewer, String k) {
        Optional<Profile<PlayerData>> v = viewer.view(k);
        return v.isPresent()
                && v.get().getGlobalUpdates().getActiveUpdates().isEmpty()
                && v.get().getGlobalUpdates().getLockedUpdates().isEmpty();
    }

    // ================================================================ global updates

    @Test
    @DisplayName("global updates: send to a never-loaded key, change and clear in the handler, lock, process, clear")
    void globalUpdateLifecycle() {
        Server[] s = twoServers();
        Server a = s[0];
        Server b = s[1];
        String k = key("gu");
        long[] ids = new long[3];
        GlobalUpdates sent = drive(() -> b.store().globalUpdateProfile(k, u -> {
                    assertThat(u.getActiveUpdates()).isEmpty();
                    u.addActiveUpdate(Map.of("gift", "sword"));
                    assertThatThrownBy(() -> u.lockActiveUpdate(1)).isInstanceOf(IllegalStateException.class);
                    assertThatThrownBy(() -> u.listenToNewActiveUpdate((i, d) -> {}))
                            .isInstanceOf(IllegalStateException.class);
                    assertThatThrownBy(() -> u.changeActiveUpdate(9999, Map.of()))
                            .isInstanceOf(IllegalArgumentException.class);
                    assertThatThrownBy(() -> u.clearActiveUpdate(9999)).isInstanceOf(IllegalArgumentException.class);
                }))
                .orElseThrow();
        ids[0] = sent.getActiveUpdates().get(0).id();
        assertThat(sent.getActiveUpdates())
                .as("the store numbered the new update")
                .containsExactly(new GlobalUpdate(ids[0], Map.of("gift", "sword")));
        assertThatThrownBy(() -> sent.addActiveUpdate(Map.of()))
                .as("only inside the handler")
                .isInstanceOf(IllegalStateException.class);
        StoredProfile record = raw().read(STORE, k);
        assertThat(record.payload()).isNull();
        assertThat(record.owner()).isNull();

        GlobalUpdates second = drive(() -> b.store().globalUpdateProfile(k, u -> {
                    u.changeActiveUpdate(ids[0], Map.of("gift", "shield"));
                    u.addActiveUpdate(Map.of("gift", "bow"));
                }))
                .orElseThrow();
        assertThat(second.getActiveUpdates())
                .extracting(u -> u.data().get("gift"))
                .containsExactly("shield", "bow");
        ids[1] = second.getActiveUpdates().get(1).id();
        drive(() -> b.store().globalUpdateProfile(k, u -> {
            assertThat(u.getActiveUpdates()).extracting(GlobalUpdate::id).containsExactly(ids[0], ids[1]);
            u.clearActiveUpdate(ids[1]);
        }));
        assertThat(ids[1]).isGreaterThan(ids[0]);

        Profile<PlayerData> p = a.load(k);
        GlobalUpdates g = p.getGlobalUpdates();
        assertThat(g.getActiveUpdates()).containsExactly(new GlobalUpdate(ids[0], Map.of("gift", "shield")));
        assertThat(g.getLockedUpdates()).isEmpty();
        List<String> lockedEvents = new CopyOnWriteArrayList<>();
        List<String> activeEvents = new CopyOnWriteArrayList<>();
        g.listenToNewLockedUpdate((id, d) -> lockedEvents.add(id + "=" + d.get("gift")));
        g.listenToNewActiveUpdate((id, d) -> activeEvents.add(id + "=" + d.get("gift")));
        assertThatThrownBy(() -> g.lockActiveUpdate(9999)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.clearLockedUpdate(ids[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.addActiveUpdate(Map.of())).isInstanceOf(IllegalStateException.class);
        FaultInjectingBackend.Pause holdSaves = a.backend.pause("save", k);
        g.lockActiveUpdate(ids[0]);
        g.lockActiveUpdate(ids[0]); // again before the save: nothing
        p.save();
        holdSaves.release();
        advanceUntil("locked listener after the save", () -> lockedEvents.size() == 1);
        assertThat(lockedEvents).containsExactly(ids[0] + "=shield");
        assertThat(g.getLockedUpdates()).extracting(GlobalUpdate::id).containsExactly(ids[0]);
        assertThat(g.getActiveUpdates()).isEmpty();
        assertThat(b.view(k).orElseThrow().getGlobalUpdates().getLockedUpdates())
                .extracting(GlobalUpdate::id)
                .containsExactly(ids[0]);
        assertThatThrownBy(() -> g.lockActiveUpdate(ids[0]))
                .as("already locked")
                .isInstanceOf(IllegalArgumentException.class);

        p.edit(d -> {
            d.items.add("shield");
            g.clearLockedUpdate(ids[0]);
        });
        p.save();
        advanceUntil("clear saved with the data", () -> noUpdatesLeft(b, k));
        assertThat(b.view(k).orElseThrow().getData().items).containsExactly("shield");

        ids[2] = drive(() -> b.store().globalUpdateProfile(k, u -> u.addActiveUpdate(Map.of("gift", "crown"))))
                .orElseThrow()
                .getActiveUpdates()
                .get(0)
                .id();
        advanceUntil("new active update heard", Duration.ofMillis(10), () -> activeEvents.size() == 1);
        assertThat(activeEvents).containsExactly(ids[2] + "=crown");
        assertThat(ids[2]).isGreaterThan(ids[1]);
        assertThat(lockedEvents).hasSize(1);
        driveRun(p::release);
        assertThatThrownBy(() -> g.lockActiveUpdate(ids[2])).isInstanceOf(IllegalStateException.class);
        Profile<PlayerData> again = b.load(k);
        assertThat(again.getGlobalUpdates().getActiveUpdates())
                .extracting(GlobalUpdate::id)
                .containsExactly(ids[2]);
    }

    @Test
    @DisplayName("without a message bus, a new global update reaches the owner at its next auto-save tick")
    void globalUpdateWithoutBus() {
        LoadedOnA t = onTwoServersWithoutBus("gunobus").loadOnA();
        Profile<PlayerData> p = t.profile();
        List<Long> heard = new CopyOnWriteArrayList<>();
        p.getGlobalUpdates().listenToNewActiveUpdate((id, d) -> heard.add(id));
        long id = drive(() -> t.b().store().globalUpdateProfile(t.key(), u -> u.addActiveUpdate(Map.of("gift", 1))))
                .orElseThrow()
                .getActiveUpdates()
                .get(0)
                .id();
        vt.advance(AUTO_SAVE);
        awaitReal("heard at the auto-save tick", () -> heard.contains(id));
    }

    @Test
    @DisplayName("a gift sent while the owner saves is neither lost nor applied twice")
    void giftWhileOwnerSaves() {
        GiftRace race = giftRace("gift");
        Profile<PlayerData> pa = race.owner();
        processGifts(pa);

        FaultInjectingBackend.Pause pause = race.a().backend.pause("save", race.key());
        pa.edit(d -> d.items.add("before"));
        pa.save();
        pause.awaitBlocked();
        drive(() -> race.sender().store().globalUpdateProfile(race.key(), u -> u.addActiveUpdate(gift("g1", 10))));
        pause.release();
        advanceUntil("g1 applied", () -> giftsSettled(race.b(), race.key(), 10));

        // the owner's lock save is in flight when other gifts arrive: they do not conflict with it
        FaultInjectingBackend.Pause pause2 = race.a().backend.pause("save", race.key());
        drive(() -> race.sender().store().globalUpdateProfile(race.key(), u -> u.addActiveUpdate(gift("g2", 20))));
        advanceUntil("owner saving the lock of g2", () -> pause2.blockedCalls() > 0);
        drive(() -> race.sender().store().globalUpdateProfile(race.key(), u -> u.addActiveUpdate(gift("g3", 30))));
        pause2.release();
        try {
            advanceUntil("g2 and g3 applied", () -> giftsSettled(race.b(), race.key(), 60));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Profile<PlayerData> v = race.b().view(race.key()).orElseThrow();
            throw new AssertionError(
                    "gifts g2/g3 not both applied: stored coins=" + v.getData().coins + " (want 60), items="
                            + v.getData().items + ", stored active="
                            + v.getGlobalUpdates().getActiveUpdates()
                            + ", owner's active=" + pa.getGlobalUpdates().getActiveUpdates()
                            + " (an update that stays Active was never announced to listenToNewActiveUpdate)",
                    e);
        }
        driveRun(pa::release);
        PlayerData end = race.b().view(race.key()).orElseThrow().getData();
        assertThat(end.coins).isEqualTo(60);
        assertThat(end.items).containsExactly("before", "g1", "g2", "g3");
    }

    @Test
    @DisplayName("a gift locked by a save whose reply was lost stays locked: applied once, not dropped")
    void giftLockedBySaveWithLostReply() {
        GiftRace race = giftRace("lostreply");
        Profile<PlayerData> pa = race.owner();
        List<Long> lockedSeen = new CopyOnWriteArrayList<>();
        GlobalUpdates g = pa.getGlobalUpdates();
        g.listenToNewActiveUpdate((id, data) -> {
            // the save that locks the gift reaches the store, but its reply is lost: the engine only sees an error
            race.a().backend.loseNextReply("save", 1);
            g.lockActiveUpdate(id);
        });
        g.listenToNewLockedUpdate((id, data) -> {
            lockedSeen.add(id);
            apply(pa, id, data);
        });
        int savesBefore = race.a().backend.calls("save");
        drive(() -> race.sender().store().globalUpdateProfile(race.key(), u -> u.addActiveUpdate(gift("g1", 10))));
        advanceUntil("g1 applied after the retry", () -> giftsSettled(race.b(), race.key(), 10));
        assertThat(race.a().backend.injectedFailures("save"))
                .as("the lost reply happened")
                .isEqualTo(1);
        assertThat(race.a().backend.calls("save") - savesBefore)
                .as("lock (lost reply), rebase, apply+clear")
                .isGreaterThanOrEqualTo(3);
        assertThat(race.a().issues).anySatisfy(m -> assertThat(m).contains("injected lost reply"));
        assertThat(lockedSeen).as("Locked listener fired once for the gift").hasSize(1);
        driveRun(pa::release);
        PlayerData end = race.b().view(race.key()).orElseThrow().getData();
        assertThat(end.coins).isEqualTo(10);
        assertThat(end.items).containsExactly("g1");
    }

    @Test
    @DisplayName(
            "a sender's change racing the owner's lock: written first, the owner's save is refused and it locks the changed"
                    + " data; the other way round, the handler sees the update Locked")
    void changeRacingTheLock() {
        GiftRace race = giftRace("race");
        processGifts(race.owner());

        // the owner's save that locks g1 is held at the store while the sender changes g1
        FaultInjectingBackend.Pause pause = race.a().backend.pause("save", race.key());
        drive(() -> race.sender().store().globalUpdateProfile(race.key(), u -> u.addActiveUpdate(gift("g1", 10))));
        advanceUntil(
                "owner saving the lock of g1",
                () -> pause.blockedCalls() > 0); // stores without a bus: at the next tick
        List<String> seen = new CopyOnWriteArrayList<>();
        drive(() -> race.sender().store().globalUpdateProfile(race.key(), u -> {
            seen.add("active=" + u.getActiveUpdates().size() + " locked="
                    + u.getLockedUpdates().size());
            u.getActiveUpdates().forEach(g -> u.changeActiveUpdate(g.id(), gift("g1-changed", 99)));
        }));
        assertThat(seen).as("the handler saw g1 Active").containsExactly("active=1 locked=0");
        pause.release();
        advanceUntil("the changed gift applied", () -> giftsSettled(race.b(), race.key(), 99));

        // now the owner's lock is written first: a handler then no longer finds the gift Active
        drive(() -> race.sender().store().globalUpdateProfile(race.key(), u -> u.addActiveUpdate(gift("g2", 5))));
        advanceUntil(
                "g2 taken out of the inbox",
                () -> raw().read(STORE, race.key()).updates().isEmpty());
        seen.clear();
        drive(() -> race.sender().store().globalUpdateProfile(race.key(), u -> {
            seen.add("active=" + u.getActiveUpdates().size());
            u.getActiveUpdates().forEach(g -> u.changeActiveUpdate(g.id(), gift("late", 1000)));
        }));
        assertThat(seen).containsExactly("active=0");
        advanceUntil("g2 applied unchanged", () -> giftsSettled(race.b(), race.key(), 104));
        driveRun(race.owner()::release);
        assertThat(race.b().view(race.key()).orElseThrow().getData().items).containsExactly("g1-changed", "g2");
    }

    @Test
    @DisplayName("a send whose reply was lost is retried with the same token: the gift is added once")
    void sendWithLostReplyAddsOnce() {
        Server sender = server("S");
        String k = key("lostsend");
        sender.backend.loseNextReply("sendUpdates", 1);
        drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g", 1))));
        assertThat(sender.backend.injectedFailures("sendUpdates"))
                .as("the lost reply happened")
                .isEqualTo(1);
        assertThat(raw().read(STORE, k).updates()).as("one update, not two").hasSize(1);
    }

    @Test
    @DisplayName(
            "closing a service ends its sends that wait on a full inbox: they fail naming the limit, and close() returns")
    @Timeout(60)
    void closeEndsSendsWaitingOnAFullInbox() {
        Server owner = server("O");
        Server sender = server("S", b -> b.maxPendingUpdates(1));
        String k = key("fullclose");
        owner.load(k); // holds the profile and takes no gift in: the inbox stays full
        drive(sender.store().globalUpdateProfileAsync(k, u -> u.addActiveUpdate(gift("g0", 1))));
        CompletableFuture<Optional<GlobalUpdates>> waiting =
                sender.store().globalUpdateProfileAsync(k, u -> u.addActiveUpdate(gift("g1", 1)));
        advanceUntil("the second send found the inbox full", () -> sender.backend.calls("sendUpdates") >= 3);
        assertThat(waiting).as("waiting for the owner, not failed").isNotDone();
        drive(CompletableFuture.runAsync(sender.service::close, callers));
        assertThat(waiting)
                .isCompletedExceptionally()
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class)
                .withMessageContaining("maxPendingUpdates");
        assertThat(raw().read(STORE, k).updates()).as("only the first").hasSize(1);
    }

    @Test
    @DisplayName(
            "a send over maxPendingUpdates fails with IllegalStateException naming the limit, and nothing of it is written")
    void pendingUpdatesAreBounded() {
        Server sender = server("S", b -> b.maxPendingUpdates(3));
        String k = key("full");
        for (int i = 0; i < 3; i++) {
            int n = i;
            drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g" + n, 1))));
        }
        assertThatThrownBy(() -> drive(() -> sender.store().globalUpdateProfile(k, u -> {
                    u.addActiveUpdate(gift("g3", 1));
                    u.addActiveUpdate(gift("g4", 1));
                })))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("3")
                .hasMessageContaining(k);
        assertThat(raw().read(STORE, k).updates()).as("the first three only").hasSize(3);
    }

    // ================================================================ exactly once under load

    @Test
    @DisplayName(
            "exactly-once gifts under a fuzz: several senders, hand-overs and hard steals; every gift applied once")
    @Timeout(120)
    void exactlyOnceGiftsFuzz() throws Exception {
        int perSender = 8;
        Random random = new Random(7);
        Server[] owners = twoServers();
        Server[] senders = {server("S1"), server("S2"), server("S3")};
        String k = key("fuzz");
        Profile<PlayerData> current = owners[0].load(k);
        int holder = 0;
        List<Profile<PlayerData>> byOwner = new ArrayList<>(java.util.Arrays.asList(current, null));
        processGifts(current);

        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int si = 0; si < senders.length; si++) {
            Server sender = senders[si];
            String name = "s" + si;
            sending.add(CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < perSender; i++) {
                            String id = name + "-" + i;
                            sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift(id, 1)));
                        }
                    },
                    callers));
        }
        for (int round = 0; round < 6; round++) {
            vt.advance(Duration.ofMillis(random.nextInt(2000)));
            int next = 1 - holder;
            Profile<PlayerData> previous = byOwner.get(next);
            if (previous != null) {
                // a service cannot load a key it still believes it holds: wait until it noticed the loss
                advanceUntil("owner " + next + " noticed its session ended", () -> !previous.isActive());
            }
            if (random.nextBoolean()) {
                admin(raw()).forceRelease(STORE, k); // a hard steal: the holder learns it at its next write
            }
            Profile<PlayerData> p = drive(owners[next].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                    .orElseThrow(() -> new AssertionError("hand-over load returned empty"));
            processGifts(p);
            current = p;
            holder = next;
            byOwner.set(next, p);
        }
        drive(CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)));
        int total = perSender * senders.length;
        Profile<PlayerData> last = current;
        try {
            advanceUntil("every gift processed", () -> {
                if (last.isActive()) {
                    last.save();
                }
                return giftsSettled(senders[0], k, total);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Profile<PlayerData> v = senders[0].view(k).orElseThrow();
            throw new AssertionError(
                    "gifts not all processed: stored coins=" + v.getData().coins + " of " + total
                            + ", stored active=" + v.getGlobalUpdates().getActiveUpdates()
                            + ", stored locked=" + v.getGlobalUpdates().getLockedUpdates()
                            + ", owner active=" + last.isActive() + ", owner's active="
                            + last.getGlobalUpdates().getActiveUpdates()
                            + ", owner's locked=" + last.getGlobalUpdates().getLockedUpdates(),
                    e);
        }
        driveRun(last::release);
        PlayerData end = senders[0].view(k).orElseThrow().getData();
        List<String> expected = new ArrayList<>();
        for (int si = 0; si < senders.length; si++) {
            for (int i = 0; i < perSender; i++) {
                expected.add("s" + si + "-" + i);
            }
        }
        assertThat(end.items).as("every gift exactly once").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(end.coins).isEqualTo(total);
    }

    @Test
    @DisplayName(
            "a storm of gifts to one profile from three services on many threads, while it changes hands and while it is"
                    + " offline: every gift applied exactly once, no send fails, and adds never read the inbox")
    @Timeout(180)
    void giftStorm() throws Exception {
        Server[] owners = twoServers();
        Server[] senders = {server("S1"), server("S2"), server("S3")};
        String k = key("storm");
        int threads = 4;
        int each = 15;
        Profile<PlayerData> first = owners[0].load(k);
        processGifts(first);
        List<String> expected = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> sending = storm(senders, k, "on", threads, each, expected);
        // hand the profile over in the middle of the storm
        Profile<PlayerData> second = drive(owners[1].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        processGifts(second);
        drive(CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)));
        driveRun(second::release);

        // and while nobody holds it: the next load picks every one up
        drive(CompletableFuture.allOf(
                storm(senders, k, "off", threads, each, expected).toArray(CompletableFuture[]::new)));
        // owners[0] may have lost the profile by a steal it has not noticed yet (a store without a
        // bus): its next save tells it, and only then may it load the profile again
        advanceUntil("the first owner let go", () -> {
            if (first.isActive()) {
                first.save();
            }
            return !first.isActive();
        });
        Profile<PlayerData> third = owners[0].load(k);
        processGifts(third);
        int total = expected.size();
        advanceUntil("every gift processed", () -> {
            if (third.isActive()) {
                third.save();
            }
            return giftsSettled(owners[1], k, total);
        });
        driveRun(third::release);
        PlayerData end = owners[1].view(k).orElseThrow().getData();
        assertThat(end.items)
                .as("every gift exactly once")
                .hasSize(total)
                .containsExactlyInAnyOrderElementsOf(expected);
        for (Server sender : senders) {
            assertThat(sender.backend.calls("read") + sender.backend.calls("readUpdates"))
                    .as("a sender that only adds never reads the inbox")
                    .isZero();
            assertThat(sender.backend.calls("sendUpdates"))
                    .as("sends, each carrying the adds queued meanwhile")
                    .isBetween(1, 2 * threads * each);
        }
    }

    /** {@code threads} callers on each sender, each sending {@code each} gifts one by one; their ids go to {@code sent}. */
    private List<CompletableFuture<Void>> storm(
            Server[] senders, String k, String phase, int threads, int each, List<String> sent) {
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int si = 0; si < senders.length; si++) {
            for (int t = 0; t < threads; t++) {
                Server sender = senders[si];
                String name = phase + "-s" + si + "-t" + t;
                sending.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < each; i++) {
                                String id = name + "-" + i;
                                assertThat(sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift(id, 1))))
                                        .isPresent();
                                sent.add(id);
                            }
                        },
                        callers));
            }
        }
        return sending;
    }

    @Test
    @DisplayName(
            "a full inbox of a profile whose owner is online slows its senders down instead of failing them: every gift"
                    + " is applied exactly once")
    @Timeout(120)
    void fullInboxOfAnOnlineOwnerDelaysSenders() {
        Server owner = server("O");
        Server sender = server("S", b -> b.maxPendingUpdates(2));
        String k = key("backpressure");
        Profile<PlayerData> p = owner.load(k);
        processGifts(p);
        List<String> expected = new CopyOnWriteArrayList<>();
        drive(CompletableFuture.allOf(
                storm(new Server[] {sender}, k, "bp", 4, 5, expected).toArray(CompletableFuture[]::new)));
        advanceUntil("every gift processed", () -> {
            if (p.isActive()) {
                p.save();
            }
            return giftsSettled(owner, k, expected.size());
        });
        driveRun(p::release);
        assertThat(owner.view(k).orElseThrow().getData().items)
                .as("every gift exactly once")
                .hasSize(20)
                .containsExactlyInAnyOrderElementsOf(expected);
    }
}
