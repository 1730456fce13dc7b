package dev.profileservice.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.GlobalUpdates;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileServiceObserver;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.UpdateOp;
import dev.profileservice.testkit.ConformanceHarness;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The meters of {@link ProfileServiceMetrics} counted against real scenarios on a real store, in
 * the conformance suite's virtual time: each server binds its own {@link SimpleMeterRegistry}, and
 * the tests check the numbers (counts, gauge values, tags), not only that meters exist. Subclasses
 * give the store.
 */
abstract class MetricsScenarios extends ConformanceHarness {

    /** The {@code backend} tag this store must carry. */
    protected abstract String expectedBackendKind();

    /** A server whose service records into a new registry. */
    private record Metered(Server server, MeterRegistry registry) {
        double timerCount(String name, String... tags) {
            return registry.get(name).tags(tags).timer().count();
        }

        double timerTotalSeconds(String name, String... tags) {
            return registry.get(name).tags(tags).timer().totalTime(TimeUnit.SECONDS);
        }

        double counter(String name, String... tags) {
            return registry.get(name).tags(tags).counter().count();
        }

        double gauge(String name, String... tags) {
            return registry.get(name).tags(tags).gauge().value();
        }
    }

    private Metered metered(String name) {
        return metered(name, b -> b);
    }

    private Metered metered(String name, UnaryOperator<ProfileService.Builder> customize) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Server s = server(name, b -> customize.apply(b).observer(new ProfileServiceMetrics(registry)));
        s.store(); // opens the store: its gauge exists from now on
        return new Metered(s, registry);
    }

    private Profile<PlayerData> load(Server s, String key) {
        return awaitReal(s.store().loadProfileAsync(key, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
    }

    @Test
    @DisplayName("loads, saves (saved and unchanged), batches, releases, kept versions and the active gauge add up")
    void loadsSavesAndReleases() {
        Metered a = metered("A");
        String[] tags = {"store", STORE, "backend", expectedBackendKind()};
        assertThat(a.gauge("profileservice.profiles.active", tags)).isZero();

        Profile<PlayerData> p1 = load(a.server(), key("one"));
        Profile<PlayerData> p2 = load(a.server(), key("two"));
        assertThat(a.timerCount("profileservice.loads", "store", STORE, "outcome", "loaded"))
                .isEqualTo(2);
        assertThat(a.gauge("profileservice.profiles.active", tags)).isEqualTo(2);

        p1.edit(d -> d.coins = 7);
        p1.save();
        awaitReal("p1 saved", () -> count(a, "profileservice.saves", "saved") == 1);
        p2.save(); // a new profile is stored as it is: the save only checks the session
        awaitReal("p2 checked", () -> count(a, "profileservice.saves", "unchanged") == 1);

        awaitReal(p1.releaseAsync());
        awaitReal(p2.releaseAsync());
        assertThat(a.gauge("profileservice.profiles.active", tags))
                .as("after both releases")
                .isZero();
        assertThat(a.counter("profileservice.releases", "store", STORE, "outcome", "released"))
                .isEqualTo(2);
        assertThat(a.counter("profileservice.releases", "store", STORE, "outcome", "lost"))
                .isZero();
        assertThat(count(a, "profileservice.saves", "saved"))
                .as("the save and the two releases")
                .isEqualTo(3);
        assertThat(count(a, "profileservice.saves", "unchanged")).isEqualTo(1);
        assertThat(count(a, "profileservice.saves", "refused")).isZero();
        assertThat(count(a, "profileservice.saves", "failed")).isZero();
        assertThat(a.registry().get("profileservice.save.batch.size").summary().totalAmount())
                .as("every written save went to the store in some batch")
                .isEqualTo(3);
        assertThat(a.counter("profileservice.versions.written", "store", STORE, "cause", "release"))
                .as("a release is always kept")
                .isEqualTo(2);

        load(a.server(), key("three"));
        assertThat(a.timerCount("profileservice.loads", "store", STORE, "outcome", "loaded"))
                .isEqualTo(3);
        assertThat(a.timerCount("profileservice.loads", "store", STORE, "outcome", "failed"))
                .isZero();
        assertThat(a.counter("profileservice.issues", "backend", expectedBackendKind()))
                .isZero();

        driveRun(a.server().service::close);
        assertThat(a.registry().find("profileservice.profiles.active").gauge())
                .as("a closed service's gauges are removed")
                .isNull();
        assertThat(a.counter("profileservice.releases", "store", STORE, "outcome", "released"))
                .as("counters stay; close released the third profile")
                .isEqualTo(3);
    }

    private static double count(Metered m, String timer, String outcome) {
        return m.timerCount(timer, "store", STORE, "outcome", outcome);
    }

    @Test
    @DisplayName("a stolen profile: its owner's save is refused and its session lost; the thief waited a hand-over;"
            + " a CANCEL load is counted cancelled")
    void stolenProfile() {
        Metered a = metered("A");
        Metered b = metered("B");
        String k = key("stolen");
        Profile<PlayerData> pa = load(a.server(), k);
        pa.edit(d -> d.coins = 99); // unsaved: A's next sync is a write, which the store refuses after the steal

        assertThat(awaitReal(b.server()
                        .store()
                        .loadProfileAsync(k, (place, job) -> dev.profileservice.NotReleasedAction.CANCEL)))
                .isEmpty();
        assertThat(count(b, "profileservice.loads", "cancelled")).isEqualTo(1);

        Profile<PlayerData> pb = drive(b.server().store().loadProfileAsync(k, NotReleasedHandler.STEAL))
                .orElseThrow();
        assertThat(count(b, "profileservice.loads", "loaded")).isEqualTo(1);
        assertThat(b.timerCount("profileservice.handover.wait", "store", STORE)).isEqualTo(1);

        advanceUntil("A learned it lost the session", () -> {
            if (pa.isActive()) {
                try {
                    pa.save();
                } catch (IllegalStateException lostMeanwhile) {
                    // fine
                }
            }
            return !pa.isActive() && count(a, "profileservice.saves", "refused") >= 1;
        });
        awaitReal(
                "A's session counted lost",
                () -> a.counter("profileservice.releases", "store", STORE, "outcome", "lost") == 1);
        assertThat(count(a, "profileservice.saves", "refused")).isEqualTo(1);
        assertThat(a.counter("profileservice.releases", "store", STORE, "outcome", "released"))
                .isZero();
        assertThat(a.gauge("profileservice.profiles.active", "store", STORE)).isZero();
        assertThat(b.gauge("profileservice.profiles.active", "store", STORE)).isEqualTo(1);
        driveRun(pb::release);
    }

    @Test
    @DisplayName(
            "a FORCE_LOAD from a live owner: the owner releases on request (released 1), the loader waited one hand-over")
    void forceLoadHandOver() {
        Metered a = metered("A");
        Metered b = metered("B");
        String k = key("handover");
        Profile<PlayerData> pa = load(a.server(), k);
        pa.edit(d -> d.coins = 12);

        Profile<PlayerData> pb = drive(b.server().store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(pb.getData().coins).as("A's edit came with the hand-over").isEqualTo(12);
        assertThat(count(b, "profileservice.loads", "loaded")).isEqualTo(1);
        assertThat(b.timerCount("profileservice.handover.wait", "store", STORE)).isEqualTo(1);
        awaitReal(
                "A's session counted released",
                () -> a.counter("profileservice.releases", "store", STORE, "outcome", "released") == 1);
        assertThat(a.counter("profileservice.releases", "store", STORE, "outcome", "lost"))
                .isZero();
        assertThat(a.gauge("profileservice.profiles.active", "store", STORE)).isZero();
        assertThat(b.gauge("profileservice.profiles.active", "store", STORE)).isEqualTo(1);
        driveRun(pb::release);
    }

    @Test
    @DisplayName("a gift to an online profile: sent 1 on the sender, locked 1, cleared 1 and one delivery on the owner")
    void giftToAnOnlineProfile() {
        Metered owner = metered("owner");
        Metered sender = metered("sender");
        String k = key("gift");
        Profile<PlayerData> p = load(owner.server(), k);
        GlobalUpdates g = p.getGlobalUpdates();
        List<Long> arrived = new CopyOnWriteArrayList<>();
        g.listenToNewActiveUpdate((id, data) -> arrived.add(id));
        AtomicInteger applied = new AtomicInteger();
        g.listenToNewLockedUpdate((id, data) -> p.edit(d -> {
            g.clearLockedUpdate(id);
            d.coins += ((Number) data.get("coins")).intValue();
            applied.incrementAndGet();
        }));

        Optional<GlobalUpdates> sent =
                drive(sender.server().store().globalUpdateProfileAsync(k, u -> u.addActiveUpdate(Map.of("coins", 5))));
        assertThat(sent).isPresent();
        assertThat(sender.counter("profileservice.gifts.sent", "store", STORE)).isEqualTo(1);

        advanceUntil("the owner saw the gift", () -> !arrived.isEmpty());
        vt.advance(Duration.ofSeconds(2)); // the game takes its time: the delivery timer sees it
        g.lockActiveUpdate(arrived.get(0));
        advanceUntil("locked and applied", () -> applied.get() == 1);
        awaitReal("the clear is counted", () -> owner.counter("profileservice.gifts.cleared", "store", STORE) == 1);

        assertThat(owner.counter("profileservice.gifts.locked", "store", STORE)).isEqualTo(1);
        assertThat(owner.timerCount("profileservice.gifts.delivery", "store", STORE))
                .isEqualTo(1);
        assertThat(owner.timerTotalSeconds("profileservice.gifts.delivery", "store", STORE))
                .as("from when the owner saw it to the durable lock, in the service's (virtual) time")
                .isGreaterThanOrEqualTo(2.0);
        assertThat(owner.counter("profileservice.gifts.sent", "store", STORE))
                .as("the owner sent nothing")
                .isZero();
        driveRun(p::release);
        assertThat(viewedCoins(owner.server(), k)).isEqualTo(5);
    }

    @Test
    @DisplayName("a gift that cannot be decoded is counted as one corruption on the server that loads the profile")
    void corruptGift() {
        Metered a = metered("A");
        String k = key("corrupt");
        var sent = raw().sendUpdates(
                        STORE,
                        k,
                        List.of(new UpdateOp.Add("vandal-" + prefix, "garbage]]".getBytes(StandardCharsets.UTF_8))),
                        1000);
        assertThat(sent.status()).isEqualTo(SendResult.Status.APPLIED);
        Profile<PlayerData> p = load(a.server(), k);
        awaitReal("corruption signal", () -> !a.server().corruptions.isEmpty());
        assertThat(a.counter("profileservice.corruptions", "store", STORE)).isEqualTo(1);
        assertThat(p.getGlobalUpdates().getActiveUpdates()).isEmpty();
        driveRun(p::release);
    }

    @Test
    @DisplayName(
            "the critical gauge is 1 while issues pile up, 0 once they stopped for the cooldown; issues are counted")
    void criticalStateGauge() {
        Metered a = metered("A", b -> b.criticalState(3, Duration.ofSeconds(60), Duration.ofSeconds(60)));
        String[] backend = {"backend", expectedBackendKind()};
        assertThat(a.gauge("profileservice.critical", backend)).isZero();

        a.server().backend.failAll(true);
        var load = a.server().store().loadProfileAsync(key("critical"), NotReleasedHandler.FORCE_LOAD);
        advanceUntil("critical", () -> a.gauge("profileservice.critical", backend) == 1);
        assertThat(a.counter("profileservice.issues", backend)).isGreaterThanOrEqualTo(3);
        awaitReal("the signal agrees", () -> a.server().critical.equals(List.of(true)));

        a.server().backend.failAll(false);
        drive(load); // its retry gets through now
        advanceUntil(
                "the cooldown ended the critical state",
                Duration.ofSeconds(1),
                () -> a.gauge("profileservice.critical", backend) == 0);
        awaitReal("the signal agrees", () -> a.server().critical.equals(List.of(true, false)));
        assertThat(a.timerCount("profileservice.loads", "store", STORE, "outcome", "loaded"))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("an observer that throws from every method breaks nothing: load, save, gift, release and close work")
    void throwingObserverIsIgnored() {
        AtomicInteger calls = new AtomicInteger();
        ProfileServiceObserver hostile = (ProfileServiceObserver) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ProfileServiceObserver.class}, (proxy, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return m.getName().equals("toString") ? "hostile" : m.invoke(this, args);
                    }
                    calls.incrementAndGet();
                    throw new IllegalStateException("observer " + m.getName() + " failed on purpose");
                });
        Server s = server("hostile", b -> b.observer(hostile));
        Server other = server("other");
        String k = key("hostile");
        Profile<PlayerData> p = awaitReal(s.store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        List<Long> locked = new CopyOnWriteArrayList<>();
        p.getGlobalUpdates()
                .listenToNewActiveUpdate((id, d) -> p.getGlobalUpdates().lockActiveUpdate(id));
        p.getGlobalUpdates().listenToNewLockedUpdate((id, d) -> {
            p.edit(x -> p.getGlobalUpdates().clearLockedUpdate(id));
            locked.add(id);
        });
        drive(s.store().globalUpdateProfileAsync(k, u -> u.addActiveUpdate(Map.of("x", 1))));
        advanceUntil("the gift went through", () -> locked.size() == 1);
        p.edit(d -> d.coins = 3);
        driveRun(p::release);
        assertThat(viewedCoins(other, k)).isEqualTo(3);
        driveRun(s.service::close);
        assertThat(calls.get())
                .as("the observer was called, and threw, many times")
                .isGreaterThan(5);
        assertThat(s.issues).as("observer failures are not store issues").isEmpty();
    }
}
