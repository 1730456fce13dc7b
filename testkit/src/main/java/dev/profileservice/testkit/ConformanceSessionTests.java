package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.profileservice.NotReleasedAction;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.Owner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite's tests of who holds a profile: two servers loading one key at once, hand-over
 * by FORCE_LOAD (over the message bus and without one), REPEAT, steals during a save, a save during
 * release, fenced saves sharing round trips, and leases: heartbeats, expiry and clock skew.
 *
 * <p>One layer of the suite: third parties extend {@link ProfileServiceConformanceTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class ConformanceSessionTests extends ConformanceProfileTests {

    private static NotReleasedHandler handler(List<String> calls, NotReleasedAction action) {
        return (placeId, jobId) -> {
            calls.add(placeId + "/" + jobId);
            return action;
        };
    }

    // ================================================================ loads, hand-over, steals

    @Test
    @DisplayName("two servers load one key at once with a CANCEL handler: exactly one gets it")
    void twoServersLoadOneKeyAtOnceCancel() {
        Server[] s = twoServers();
        for (int i = 0; i < 10; i++) {
            String k = key("race" + i);
            List<String> calls = new CopyOnWriteArrayList<>();
            CompletableFuture<Optional<Profile<PlayerData>>> fa =
                    s[0].store().loadProfileAsync(k, handler(calls, NotReleasedAction.CANCEL));
            CompletableFuture<Optional<Profile<PlayerData>>> fb =
                    s[1].store().loadProfileAsync(k, handler(calls, NotReleasedAction.CANCEL));
            Optional<Profile<PlayerData>> ra = drive(fa);
            Optional<Profile<PlayerData>> rb = drive(fb);
            assertThat(ra.isPresent() ^ rb.isPresent())
                    .as("exactly one of A and B got %s", k)
                    .isTrue();
            Server winner = ra.isPresent() ? s[0] : s[1];
            assertThat(calls)
                    .as("the loser's handler saw the winner")
                    .containsOnly(winner.placeId + "/" + winner.jobId);
            assertThat(raw().read(STORE, k).owner().jobId()).isEqualTo(winner.jobId);
        }
    }

    @Test
    @DisplayName("two servers load one key at once with FORCE_LOAD: both load in turn, the first one is released")
    void twoServersLoadOneKeyAtOnceForceLoad() {
        TwoServers t = onTwoServers("both");
        CompletableFuture<Optional<Profile<PlayerData>>> fa =
                t.a().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD);
        CompletableFuture<Optional<Profile<PlayerData>>> fb =
                t.b().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD);
        Profile<PlayerData> pa = drive(fa).orElseThrow(() -> new AssertionError("A's FORCE_LOAD returned empty"));
        Profile<PlayerData> pb = drive(fb).orElseThrow(() -> new AssertionError("B's FORCE_LOAD returned empty"));
        advanceUntil("exactly one active", () -> pa.isActive() ^ pb.isActive());
        Profile<PlayerData> first = pa.isActive() ? pb : pa;
        Profile<PlayerData> last = pa.isActive() ? pa : pb;
        AtomicBoolean released = new AtomicBoolean();
        first.listenToRelease(() -> released.set(true));
        awaitReal("first holder's release listener", released::get);
        last.edit(d -> d.coins = 77);
        driveRun(last::release);
        assertThat(viewedCoins(t.a(), t.key())).isEqualTo(77);
    }

    @Test
    @DisplayName("a live owner asked by FORCE_LOAD hands over at once, with its unsaved edits")
    void forceLoadFromLiveOwnerIsPrompt() {
        Assumptions.assumeTrue(
                raw().messageBus().isPresent(), "the store has no message bus: hand-over goes through the timeout");
        LoadedOnA t = loadedOnA("handover");
        Profile<PlayerData> pa = t.profile();
        AtomicInteger released = new AtomicInteger();
        pa.listenToRelease(released::incrementAndGet);
        pa.edit(d -> d.items.add("unsaved-edit"));
        Instant start = vt.now();
        Profile<PlayerData> pb = drive(
                        t.b().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD), Duration.ofMillis(10))
                .orElseThrow();
        assertThat(Duration.between(start, vt.now()))
                .as("handed over before the force-load timeout")
                .isLessThan(FORCE_LOAD_TIMEOUT);
        assertThat(pb.getData().items).as("A released with a final save").containsExactly("unsaved-edit");
        assertThat(pa.isActive()).isFalse();
        awaitReal("A's release listener", () -> released.get() == 1);
        assertThat(pb.getMetaData().getSessionLoadCount()).isEqualTo(2);
    }

    @Test
    @DisplayName(
            "degradation: with no message bus, FORCE_LOAD against a live owner still succeeds, through polling and the timeout")
    void forceLoadWithoutBus() {
        LoadedOnA t = onTwoServersWithoutBus("nobus").loadOnA();
        Profile<PlayerData> pa = t.profile();
        AtomicInteger released = new AtomicInteger();
        pa.listenToRelease(released::incrementAndGet);
        saveCoins(pa, 5, t.b());
        Instant start = vt.now();
        Profile<PlayerData> pb = drive(t.b().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(Duration.between(start, vt.now()))
                .as("stolen after the force-load timeout")
                .isGreaterThanOrEqualTo(FORCE_LOAD_TIMEOUT);
        assertThat(pb.getData().coins).isEqualTo(5);
        advanceUntil("old owner notices", () -> !pa.isActive());
        awaitReal("release listener", () -> released.get() == 1);
    }

    @Test
    @DisplayName("REPEAT asks the handler again (with the owner's place and job) until the owner releases")
    void repeatHandler() {
        LoadedOnA t = loadedOnA("repeat", 4);
        Profile<PlayerData> pa = t.profile();
        List<String> calls = new CopyOnWriteArrayList<>();
        CompletableFuture<Optional<Profile<PlayerData>>> fb =
                t.b().store().loadProfileAsync(t.key(), handler(calls, NotReleasedAction.REPEAT));
        advanceUntil("handler asked twice", () -> calls.size() >= 2);
        assertThat(fb).isNotDone();
        assertThat(pa.isActive()).as("REPEAT never takes the profile").isTrue();
        assertThat(calls).containsOnly(t.a().placeId + "/" + t.a().jobId);
        driveRun(pa::release);
        Profile<PlayerData> pb = drive(fb).orElseThrow();
        assertThat(pb.getData().coins).isEqualTo(4);
    }

    @Test
    @DisplayName(
            "a steal during a save: the old owner's save is refused, it becomes inactive, the new owner's data wins")
    void stealDuringSave() {
        // no bus: A is never asked to release, so B must steal after the force-load timeout
        stealDuringSave(onTwoServersWithoutBus("steal"), false);
    }

    @Test
    @DisplayName("a steal during a save while the owner is asked over the bus: same outcome")
    void stealDuringSaveWithBus() {
        Assumptions.assumeTrue(raw().messageBus().isPresent(), "this store has no message bus");
        stealDuringSave(onTwoServers("steal"), true);
    }

    private void stealDuringSave(TwoServers t, boolean bus) {
        Profile<PlayerData> pa = t.a().load(t.key());
        AtomicInteger released = new AtomicInteger();
        pa.listenToRelease(released::incrementAndGet);
        saveCoins(pa, 1, t.b());

        FaultInjectingBackend.Pause pause = t.a().backend.pause("save", t.key());
        pa.edit(d -> d.coins = 2);
        pa.save();
        pause.awaitBlocked();
        Profile<PlayerData> pb = drive(t.b().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(pb.getData().coins).as("B starts from the last durable save").isEqualTo(1);
        if (bus) {
            assertThat(pa.isActive())
                    .as("asked over the bus, A began its release before B stole")
                    .isFalse();
        } else {
            assertThat(pa.isActive())
                    .as("never asked, A learns only when its save is refused")
                    .isTrue();
        }
        pb.edit(d -> d.coins = 100);
        pause.release();
        awaitReal("A learns it lost the session", () -> !pa.isActive());
        awaitReal("A's release listener", () -> released.get() == 1);
        assertThat(viewedCoins(t.b(), t.key())).as("A's save was refused").isEqualTo(1);
        driveRun(pb::release);
        assertThat(viewedCoins(t.a(), t.key())).as("B's data wins").isEqualTo(100);
        assertThat(raw().read(STORE, t.key()).owner()).isNull();
        assertThat(released).hasValue(1);
    }

    @Test
    @DisplayName("a save during release: release waits for the save in flight, then saves the latest data")
    void saveDuringRelease() {
        LoadedOnA t = loadedOnA("saverel", 1);
        Profile<PlayerData> pa = t.profile();
        t.a().backend.resetCounts();
        FaultInjectingBackend.Pause pause = t.a().backend.pause("save", t.key());
        pa.save();
        pause.awaitBlocked();
        pa.edit(d -> d.coins = 2); // edited while the save is in flight
        CompletableFuture<Void> release = CompletableFuture.runAsync(pa::release, callers);
        awaitReal("release begun", () -> !pa.isActive());
        assertThat(release)
                .as("release cannot finish while a save is in flight")
                .isNotDone();
        pause.release();
        drive(release);
        assertThat(viewedCoins(t.b(), t.key())).isEqualTo(2);
        assertThat(raw().read(STORE, t.key()).owner()).isNull();
        assertThat(t.a().backend.calls("save"))
                .as("the save in flight, then one release save")
                .isEqualTo(2);
    }

    @Test
    @DisplayName("saves that are due together share round trips when the store batches; each stays fenced")
    void savesDueTogetherShareRoundTrips() {
        Server a = server("A");
        int n = 30;
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            profiles.add(a.load(key("batch" + i)));
        }
        String stolen = key("batch7");
        // another server steals one of them behind A's back: its save in the batch must be refused alone
        AcquireResult steal = raw().acquire(
                        STORE,
                        stolen,
                        new Owner("thief", "p", "j"),
                        raw().read(STORE, stolen).epoch(),
                        raw().read(STORE, stolen).payload());
        assertThat(steal.acquired()).isTrue();
        a.backend.resetCounts();
        // hold the first save at the store, so the others queue up behind it and go out together
        FaultInjectingBackend.Pause pause = a.backend.pause("save", key("batch0"));
        profiles.get(0).edit(d -> d.coins = 1);
        profiles.get(0).save();
        pause.awaitBlocked();
        for (int i = 1; i < n; i++) {
            int coins = i + 1;
            profiles.get(i).edit(d -> d.coins = coins);
            profiles.get(i).save();
        }
        pause.release();
        advanceUntil("every save done", () -> {
            for (int i = 0; i < n; i++) {
                if (i != 7 && viewedCoins(a, key("batch" + i)) != i + 1) {
                    return false;
                }
            }
            return !profiles.get(7).isActive();
        });
        assertThat(viewedCoins(a, stolen))
                .as("A's edit (8) not written over the thief's session: the data A's load created")
                .isZero();
        assertThat(raw().read(STORE, stolen).owner().serverId()).isEqualTo("thief");
        assertThat(profiles.stream().filter(Profile::isActive).count()).isEqualTo(n - 1);
        assertThat(a.backend.calls("save"))
                .as("each profile's save sent once, alone or in a batch")
                .isEqualTo(n);
        int batchSize = a.backend.maxBatchSize();
        if (batchSize >= n) {
            assertThat(a.backend.calls("saveBatch"))
                    .as("the " + (n - 1) + " saves queued behind the first, in batches of up to " + batchSize)
                    .isBetween(1, 3);
        } else if (batchSize == 1) {
            assertThat(a.backend.calls("saveBatch"))
                    .as("a store that does not batch gets single saves")
                    .isZero();
        }
    }

    // ================================================================ lease

    /**
     * Whether the store judges leases in this test's virtual time ({@link LeaseClock#SERVICE}, opened
     * on {@code vt.clock()}), rather than by a real clock (its own or the host's).
     */
    protected final boolean leasesInVirtualTime() {
        return raw().leaseClock() == LeaseClock.SERVICE;
    }

    /** The lease of the lease tests: the usual one in virtual time; 2 s when it runs on a real clock. */
    private Duration testLease() {
        return leasesInVirtualTime() ? LEASE : Duration.ofSeconds(2);
    }

    /** {@code b} with {@code lease}, and an auto-save period and force-load timeout no longer than it (as build() requires). */
    private static ProfileService.Builder withLease(ProfileService.Builder b, Duration lease) {
        return b.lease(lease)
                .autoSavePeriod(AUTO_SAVE.compareTo(lease) > 0 ? lease : AUTO_SAVE)
                .forceLoadTimeout(FORCE_LOAD_TIMEOUT.compareTo(lease) > 0 ? lease : FORCE_LOAD_TIMEOUT);
    }

    /** The clock of a server whose clock is {@code skew} off the test's virtual time. */
    private java.time.Clock skewed(Duration skew) {
        return java.time.Clock.offset(vt.clock(), skew);
    }

    /** The lease left of {@code s} as the store judges it now. */
    private long leaseLeftMillis(Server s) {
        return admin(raw()).servers().stream()
                .filter(l -> l.jobId().equals(s.jobId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no heartbeat row of " + s))
                .expiresInMillis();
    }

    @Test
    @DisplayName("heartbeat every lease/3, each renewing the lease from the store's clock")
    void heartbeatEveryThirdOfTheLease() {
        long before = System.nanoTime();
        Server a = server("A");
        long elapsed = (System.nanoTime() - before) / 1_000_000;
        if (leasesInVirtualTime()) {
            assertThat(leaseLeftMillis(a)).isEqualTo(LEASE.toMillis());
        } else {
            assertThat(leaseLeftMillis(a)).isBetween(LEASE.toMillis() - elapsed - 1_000, LEASE.toMillis() + 50);
        }
        a.backend.resetCounts();
        vt.advance(LEASE.dividedBy(3));
        awaitReal("one heartbeat", () -> a.backend.calls("heartbeat") == 1);
        if (leasesInVirtualTime()) {
            awaitReal("lease renewed", () -> leaseLeftMillis(a) == LEASE.toMillis());
        } else {
            assertThat(leaseLeftMillis(a)).isGreaterThan(LEASE.toMillis() - 1_000);
        }
        vt.advance(LEASE.dividedBy(3).multipliedBy(2));
        awaitReal("three heartbeats", () -> a.backend.calls("heartbeat") == 3);
    }

    @Test
    @DisplayName(
            "a server that stops heartbeating loses its profiles after lease + 1 s on the store's clock, never earlier; its late save is refused")
    void leaseExpiry() {
        deadOwnerLosesItsProfile("lease", Duration.ZERO, Duration.ZERO);
    }

    @Test
    @DisplayName(
            "clock skew: a dead owner's profile is taken after lease + 1 s of store time, whether the taker's clock is ahead or behind")
    void deadOwnerUnderClockSkew() {
        Duration skew = testLease().multipliedBy(3);
        deadOwnerLosesItsProfile("skew-ahead", skew.negated(), skew);
        deadOwnerLosesItsProfile("skew-behind", skew, skew.negated());
    }

    /**
     * A (clock {@code ownerSkew} off) loads a profile and stops heartbeating; B (clock
     * {@code takerSkew} off) tries to load it with a CANCEL handler. B must be refused (and asked)
     * until A's lease plus the 1 s grace ran out on the store's clock, and get it at once after,
     * without its handler. Then A's late save is refused.
     */
    private void deadOwnerLosesItsProfile(String name, Duration ownerSkew, Duration takerSkew) {
        Duration lease = testLease();
        Duration leaseAndGrace = lease.plusSeconds(1);
        Instant t0 = vt.now();
        long builtFrom = System.nanoTime();
        Server a = server(name + "-A", b -> withLease(b, lease).clock(skewed(ownerSkew))); // heartbeats once, at build
        long builtBy = System.nanoTime();
        Server b = server(name + "-B", x -> withLease(x, lease).clock(skewed(takerSkew)));
        a.backend.failNext("heartbeat", 1_000_000);
        String k = key(name);
        Profile<PlayerData> pa = a.load(k);
        AtomicInteger released = new AtomicInteger();
        pa.listenToRelease(released::incrementAndGet);
        pa.edit(d -> d.coins = 1);
        pa.save();
        awaitReal("saved", () -> viewedCoins(b, k) == 1);

        List<String> calls = new CopyOnWriteArrayList<>();
        NotReleasedHandler cancel = handler(calls, NotReleasedAction.CANCEL);
        Profile<PlayerData> pb;
        if (leasesInVirtualTime()) {
            vt.advance(Duration.between(vt.now(), t0.plus(lease)));
            assertThat(awaitReal(b.store().loadProfileAsync(k, cancel)))
                    .as("at lease end")
                    .isEmpty();
            vt.advance(Duration.ofMillis(999));
            assertThat(awaitReal(b.store().loadProfileAsync(k, cancel)))
                    .as("at lease end + 999 ms")
                    .isEmpty();
            assertThat(pa.isActive()).isTrue();
            vt.advance(Duration.ofMillis(1));
            pb = awaitReal(b.store().loadProfileAsync(k, cancel))
                    .orElseThrow(() -> new AssertionError("not taken at lease end + 1 s"));
            assertThat(calls).as("asked while A's lease ran, not after").hasSize(2);
        } else {
            // the store's clock is real: it cannot judge A dead before A's build + lease + grace, and must after
            long earliest = builtFrom + leaseAndGrace.toNanos();
            long latest = builtBy + leaseAndGrace.toNanos();
            AtomicReference<Profile<PlayerData>> taken = new AtomicReference<>();
            AtomicInteger refused = new AtomicInteger();
            await("B takes A's profile")
                    .atMost(leaseAndGrace.plus(REAL_TIMEOUT))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        long start = System.nanoTime();
                        Optional<Profile<PlayerData>> got = awaitReal(b.store().loadProfileAsync(k, cancel));
                        long end = System.nanoTime();
                        if (got.isPresent()) {
                            assertThat(end)
                                    .as("taken no earlier than lease + grace after A's last heartbeat")
                                    .isGreaterThanOrEqualTo(earliest - TimeUnit.MILLISECONDS.toNanos(50));
                            taken.set(got.get());
                            return true;
                        }
                        assertThat(start)
                                .as("still refused %d ms after lease + grace ran out", (start - latest) / 1_000_000)
                                .isLessThan(latest + TimeUnit.MILLISECONDS.toNanos(50));
                        refused.incrementAndGet();
                        return false;
                    });
            pb = taken.get();
            assertThat(refused).as("refused while A's lease ran").hasPositiveValue();
            assertThat(calls)
                    .as("asked each time it was refused, not when taken")
                    .hasSize(refused.get());
        }
        assertThat(calls).containsOnly(a.placeId + "/" + a.jobId);
        assertThat(pb.getData().coins).isEqualTo(1);

        lateEdit(pa, 999);
        advanceUntil("A learns it lost the session", () -> !pa.isActive());
        awaitReal("A's release listener", () -> released.get() == 1);
        assertThat(viewedCoins(b, k)).as("A's late save was refused").isEqualTo(1);
        pb.edit(d -> d.coins = 2);
        driveRun(pb::release);
        assertThat(viewedCoins(a, k)).isEqualTo(2);
    }

    /**
     * A late edit and save by an owner that lost its session. Its own auto-save, started before the
     * profile was taken and answered after, may have told it first: then the edit is refused on the
     * spot, which is the same outcome (nothing of it reaches the store).
     */
    private static void lateEdit(Profile<PlayerData> owner, int coins) {
        try {
            owner.edit(d -> d.coins = coins);
            owner.save();
        } catch (IllegalStateException learntFirst) {
            assertThat(learntFirst).hasMessageContaining("no longer active");
        }
    }

    @Test
    @DisplayName(
            "clock skew: a live owner's profile is never taken without FORCE_LOAD, however far the clocks differ, both ways round")
    void liveOwnerKeepsItsProfileUnderClockSkew() {
        Duration lease = testLease();
        Duration skew = lease.multipliedBy(3);
        for (Duration ownerSkew : List.of(skew.negated(), skew)) {
            String name = ownerSkew.isNegative() ? "owner-behind" : "owner-ahead";
            Server a = server(name + "-A", b -> withLease(b, lease).clock(skewed(ownerSkew)));
            Server b = server(name + "-B", x -> withLease(x, lease).clock(skewed(ownerSkew.negated())));
            String k = key(name);
            Profile<PlayerData> pa = a.load(k);
            pa.edit(d -> d.coins = 5);
            List<String> calls = new CopyOnWriteArrayList<>();
            CompletableFuture<Optional<Profile<PlayerData>>> fb =
                    b.store().loadProfileAsync(k, handler(calls, NotReleasedAction.REPEAT));
            // three leases of store time pass while A heartbeats (virtual time drives its heartbeats)
            long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
            Instant virtualUntil = vt.now().plus(lease.multipliedBy(3));
            advanceUntil(
                    "three leases with A alive",
                    () -> calls.size() >= 3
                            && (leasesInVirtualTime() ? !vt.now().isBefore(virtualUntil) : System.nanoTime() >= until));
            assertThat(fb).as("B never took the live owner's profile").isNotDone();
            assertThat(pa.isActive()).isTrue();
            assertThat(calls).containsOnly(a.placeId + "/" + a.jobId);
            driveRun(pa::release);
            Profile<PlayerData> pb = drive(fb).orElseThrow();
            assertThat(pb.getData().coins).as("handed over with A's edits").isEqualTo(5);
            driveRun(pb::release);
        }
    }

    @Test
    @DisplayName(
            "a load that fails because its last acquire was applied but its reply lost frees the record it took, so"
                    + " another server's load does not wait for a FORCE_LOAD")
    void loadFailingAfterAnAppliedAcquireFreesTheRecord() {
        TwoServers t = onTwoServers("lostacquire");
        t.a().backend.failNext("acquire", 7).loseNextReply("acquire", 1); // 8 attempts; the last one is applied
        assertThatThrownBy(() -> drive(t.a().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD)))
                .isInstanceOf(dev.profileservice.ProfileServiceException.class);
        assertThat(t.a().backend.injectedFailures("acquire"))
                .as("every attempt failed")
                .isEqualTo(8);
        advanceUntil(
                "A let go of the record its lost reply left it holding",
                () -> raw().read(STORE, t.key()).owner() == null);
        awaitReal( // issues reach their listeners on the listener executor
                "an issue says so",
                () -> t.a().issues.stream().anyMatch(m -> m.contains(t.key()) && m.contains("reply was lost")));
        Optional<Profile<PlayerData>> got = drive(
                t.b().store().loadProfileAsync(t.key(), (place, job) -> dev.profileservice.NotReleasedAction.CANCEL));
        assertThat(got).as("B loads it at once, without asking anyone").isPresent();
        driveRun(got.get()::release);
    }
}
